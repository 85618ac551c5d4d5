package dev.crew.worker.view;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.PagingPredicate;
import com.hazelcast.query.Predicates;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.crew.common.CrewEvent;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.TaskResult;
import dev.crew.common.WorkerStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

/**
 * Reads {@link ClusterSnapshot}s from a member or a client, and remembers the previous one so that job rates are
 * items per second between two reads. Reads are cheap: the stats map has one small entry per worker, job progress
 * comes from aggregations, failures from one bounded query.
 */
public final class ClusterWatch {
  private static final int MAX_FAILURES = 20;
  private static final int MAX_EVENTS = 30;

  private final HazelcastInstance hazelcast;
  private final String cluster;
  private final int maxJobs;
  private final LongSupplier clockMillis;
  private Map<String, long[]> previousDone = Map.of();

  public ClusterWatch(HazelcastInstance hazelcast, String cluster, int maxJobs, LongSupplier clockMillis) {
    this.hazelcast = hazelcast;
    this.cluster = cluster;
    this.maxJobs = maxJobs;
    this.clockMillis = clockMillis;
  }

  public synchronized ClusterSnapshot read() {
    long now = clockMillis.getAsLong();
    List<WorkerStats> workers = workers();
    Map<String, Integer> queues = new LinkedHashMap<>();
    for (Lane lane : Lane.values()) {
      queues.put(lane.id(), hazelcast.getQueue(lane.queueName()).size());
    }
    IMap<String, Job> jobMap = hazelcast.getMap(Names.JOBS);
    IMap<String, TaskResult> results = hazelcast.getMap(Names.RESULTS);
    List<Job> recent = new ArrayList<>(jobMap.values());
    recent.sort(Comparator.comparingLong(Job::createdMillis).reversed());
    recent = recent.subList(0, Math.min(maxJobs, recent.size()));
    List<ClusterSnapshot.JobRow> jobs = new ArrayList<>();
    Map<String, long[]> done = new HashMap<>();
    List<String> withFailures = new ArrayList<>();
    for (Job job : recent) {
      JobCounts counts = JobCounts.of(job.id(), results);
      done.put(job.id(), new long[] {now, counts.done()});
      jobs.add(row(job, counts, now));
      if (counts.failed() > 0) {
        withFailures.add(job.id());
      }
    }
    previousDone = done;
    double total = workers.stream().mapToDouble(WorkerStats::itemsPerSecond).sum();
    return new ClusterSnapshot(
        cluster, now, workers, queues, jobs, failures(results, withFailures), events(), total);
  }

  private List<WorkerStats> workers() {
    Set<String> members = new HashSet<>();
    hazelcast.getCluster().getMembers().forEach(m -> members.add(m.getUuid().toString()));
    IMap<String, WorkerStats> stats = hazelcast.getMap(Names.STATS);
    List<WorkerStats> workers = new ArrayList<>();
    // Only members: the entry of a worker that died without removing it stays until the map forgets it.
    stats.getAll(members).values().forEach(workers::add);
    workers.sort(Comparator.comparing(WorkerStats::name));
    return workers;
  }

  private ClusterSnapshot.JobRow row(Job job, JobCounts counts, long now) {
    JobState state =
        job.state() == JobState.RUNNING && job.totalsKnown() && counts.tasksDone() >= job.totalTasks()
            ? JobState.DONE
            : job.state();
    long[] before = previousDone.get(job.id());
    double rate;
    if (before != null && now > before[0]) {
      rate = (counts.done() - before[1]) * 1000.0 / (now - before[0]);
    } else if (!state.isFinal() && now > job.createdMillis()) {
      rate = counts.done() * 1000.0 / (now - job.createdMillis());
    } else {
      rate = 0;
    }
    return new ClusterSnapshot.JobRow(
        job.id(),
        job.task(),
        job.lane().id(),
        state.name().toLowerCase(Locale.ROOT),
        counts.done(),
        job.totalsKnown() ? job.totalItems() : -1,
        counts.ok(),
        counts.failed(),
        Math.max(0, rate),
        job.createdMillis());
  }

  private static List<ClusterSnapshot.Failure> failures(IMap<String, TaskResult> results, List<String> jobIds) {
    if (jobIds.isEmpty()) {
      return List.of();
    }
    PagingPredicate<String, TaskResult> query =
        Predicates.pagingPredicate(
            Predicates.and(Predicates.in("jobId", jobIds.toArray(String[]::new)), Predicates.greaterThan("failed", 0)),
            MAX_FAILURES);
    List<ClusterSnapshot.Failure> failures = new ArrayList<>();
    for (TaskResult result : results.values(query)) {
      if (!result.hasErrors()) {
        continue;
      }
      for (int i = 0; i < result.count() && failures.size() < MAX_FAILURES; i++) {
        if (result.errors()[i] != null) {
          failures.add(
              new ClusterSnapshot.Failure(
                  result.jobId(), result.firstIndex() + i, result.item(i), result.errors()[i], result.worker()));
        }
      }
    }
    failures.sort(Comparator.comparing(ClusterSnapshot.Failure::jobId).thenComparingLong(ClusterSnapshot.Failure::index));
    return failures;
  }

  private List<CrewEvent> events() {
    Ringbuffer<CrewEvent> ring = hazelcast.getRingbuffer(Names.EVENTS);
    long tail = ring.tailSequence();
    if (tail < 0) {
      return List.of();
    }
    long from = Math.max(ring.headSequence(), tail - MAX_EVENTS + 1);
    List<CrewEvent> events = new ArrayList<>();
    try {
      ring.readManyAsync(from, 0, MAX_EVENTS, null).toCompletableFuture().get().forEach(events::add);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RuntimeException e) {
      // overwritten while being read, or the cluster is going away: no events this time
    }
    Collections.reverse(events);
    return events;
  }
}
