package dev.crew.common.view;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.PagingPredicate;
import com.hazelcast.query.Predicates;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.crew.common.ClusterValues;
import dev.crew.common.CrewEvent;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.TaskResult;
import dev.crew.common.WorkerStats;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.LedgerLayout;
import dev.crew.common.ledger.TaskLedger;
import java.time.Duration;
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
import org.jspecify.annotations.Nullable;

/**
 * Reads {@link ClusterSnapshot}s from a member or a client, and remembers the previous one so that
 * job rates are items per second between two reads. Reads are cheap: the stats map has one small
 * entry per worker, job progress comes from aggregations and ledger tallies, failures from one
 * bounded query (and a bounded read of the ledger for jobs whose failures nobody has read yet).
 */
public final class ClusterWatch {
  private static final int MAX_FAILURES = 20;
  private static final int MAX_EVENTS = 30;

  /** Unread results of a job looked through for failures, per read. */
  private static final int UNREAD_SCAN = 64;

  private final HazelcastInstance hazelcast;
  private final String cluster;
  private final int maxJobs;
  private final LongSupplier clockMillis;
  private final TaskLedger ledger;

  /** Counts of jobs that can no longer change (done, cancelled, refused): counted once. */
  private final Map<String, JobCounts> finalCounts = new LinkedHashMap<>();

  /** Counts of running jobs at the previous read, for their rate. */
  private Map<String, Counted> running = new HashMap<>();

  public ClusterWatch(
      HazelcastInstance hazelcast, String cluster, int maxJobs, LongSupplier clockMillis) {
    this.hazelcast = hazelcast;
    this.cluster = cluster;
    this.maxJobs = maxJobs;
    this.clockMillis = clockMillis;
    this.ledger = ledgerOf(hazelcast);
  }

  /** A ledger to read: tallies and pending results only, so its claim timeout is never used. */
  private static TaskLedger ledgerOf(HazelcastInstance hazelcast) {
    return new HazelcastTaskLedger(
        hazelcast, LedgerLayout.DEFAULT, Duration.ofSeconds(15), System::currentTimeMillis);
  }

  public synchronized ClusterSnapshot read() {
    long now = clockMillis.getAsLong();
    List<WorkerStats> workers = workers();
    IMap<String, Job> jobMap = hazelcast.getMap(Names.JOBS);
    IMap<String, TaskResult> results = hazelcast.getMap(Names.RESULTS);
    Map<String, JobTally> tallies = ledger.tallies();
    // Only the jobs shown are read, and those the ledger holds tasks of, for the lanes' queues.
    JobRecords.Recent shown =
        maxJobs > 0 ? JobRecords.recent(jobMap, maxJobs) : new JobRecords.Recent(List.of(), -1, 0);
    Set<String> queuing = new HashSet<>(tallies.keySet());
    shown.jobs().forEach(job -> queuing.remove(job.id()));
    List<Job> withTasks = new ArrayList<>(shown.jobs());
    withTasks.addAll(JobRecords.some(jobMap, queuing).jobs());
    Map<String, Integer> queues = queues(withTasks, tallies);
    List<Job> recent = shown.jobs();
    List<ClusterSnapshot.JobRow> jobs = new ArrayList<>();
    Map<String, Counted> stillRunning = new HashMap<>();
    List<String> withFailures = new ArrayList<>();
    Map<String, JobCounts> live = liveCounts(workers);
    // The finished jobs not counted yet, counted together.
    finalCounts.putAll(
        JobCounts.of(
            recent.stream()
                .filter(job -> job.state().isFinal() && !finalCounts.containsKey(job.id()))
                .toList(),
            results,
            tallies));
    while (finalCounts.size() > 4 * Math.max(1, maxJobs)) {
      finalCounts.remove(finalCounts.keySet().iterator().next());
    }
    for (Job job : recent) {
      Counted counted = counts(job, live, now);
      JobCounts counts = counted.counts();
      if (!job.state().isFinal()) {
        stillRunning.put(job.id(), counted);
      }
      jobs.add(row(job, counts, counted.rate()));
      if (counts.failed() > 0) {
        withFailures.add(job.id());
      }
    }
    running = stillRunning;
    double total = workers.stream().mapToDouble(WorkerStats::itemsPerSecond).sum();
    return new ClusterSnapshot(
        cluster,
        now,
        workers,
        queues,
        jobs,
        failures(results, withFailures, tallies),
        events(),
        total,
        shown.stored(),
        shown.foreign());
  }

  /**
   * Tasks waiting per lane: the ledger's queued tasks of every job, by the lane its job record
   * names (a job without a record is counted nowhere: it is being forgotten).
   */
  private static Map<String, Integer> queues(List<Job> jobs, Map<String, JobTally> tallies) {
    Map<String, Lane> laneOf = new HashMap<>();
    jobs.forEach(job -> laneOf.put(job.id(), job.lane()));
    long[] queued = new long[Lane.values().length];
    tallies.forEach(
        (jobId, tally) -> {
          Lane lane = laneOf.get(jobId);
          if (lane != null) {
            queued[lane.ordinal()] += tally.queued();
          }
        });
    Map<String, Integer> queues = new LinkedHashMap<>();
    for (Lane lane : Lane.values()) {
      queues.put(lane.id(), (int) Math.min(Integer.MAX_VALUE, queued[lane.ordinal()]));
    }
    return queues;
  }

  /** A job's counts as of {@code atMillis}, and its items per second up to then. */
  private record Counted(JobCounts counts, long atMillis, double rate) {}

  /**
   * A job's counts: for a finished job, counted once from its results, read and unread (exact); for
   * a running one, the sum of what the workers published in the last second, which costs nothing to
   * read but misses the share of a worker that has left.
   */
  private Counted counts(Job job, Map<String, JobCounts> live, long now) {
    JobCounts known = job.state().isFinal() ? finalCounts.get(job.id()) : null;
    if (known != null) {
      return new Counted(known, now, 0);
    }
    JobCounts counts = live.getOrDefault(job.id(), new JobCounts(0, 0, 0));
    Counted last = running.get(job.id());
    double rate;
    if (last != null && now > last.atMillis()) {
      rate = (counts.done() - last.counts().done()) * 1000.0 / (now - last.atMillis());
    } else {
      rate = now > job.createdMillis() ? counts.done() * 1000.0 / (now - job.createdMillis()) : 0;
    }
    return new Counted(counts, now, Math.max(0, rate));
  }

  private static Map<String, JobCounts> liveCounts(List<WorkerStats> workers) {
    Map<String, JobCounts> live = new HashMap<>();
    for (WorkerStats worker : workers) {
      for (WorkerStats.JobDone job : worker.jobs()) {
        live.merge(
            job.jobId(),
            new JobCounts(job.tasks(), job.ok(), job.failed()),
            (a, b) ->
                new JobCounts(
                    a.tasksDone() + b.tasksDone(), a.ok() + b.ok(), a.failed() + b.failed()));
      }
    }
    return live;
  }

  private List<WorkerStats> workers() {
    Set<String> members = new HashSet<>();
    hazelcast.getCluster().getMembers().forEach(m -> members.add(m.getUuid().toString()));
    IMap<String, WorkerStats> stats = hazelcast.getMap(Names.STATS);
    // Only members: the entry of a worker that died without removing it stays until the map forgets
    // it. A value that is not a worker's stats, put at a member's key by another, is left out
    // (taken as stats, it failed the whole view).
    List<WorkerStats> workers =
        ClusterValues.ofType(WorkerStats.class, stats.getAll(members).values());
    workers.sort(Comparator.comparing(WorkerStats::name));
    return workers;
  }

  private static ClusterSnapshot.JobRow row(Job job, JobCounts counts, double rate) {
    JobState state =
        job.state() == JobState.RUNNING
                && job.totalsKnown()
                && counts.tasksDone() >= job.totalTasks()
            ? JobState.DONE
            : job.state();
    return new ClusterSnapshot.JobRow(
        job.id(),
        job.task(),
        job.lane().id(),
        state.name().toLowerCase(Locale.ROOT),
        counts.done(),
        job.totalsKnown() ? job.totalItems() : -1,
        counts.ok(),
        counts.failed(),
        state.isFinal() ? 0 : rate,
        job.createdMillis());
  }

  private List<ClusterSnapshot.Failure> failures(
      IMap<String, TaskResult> results, List<String> jobIds, Map<String, JobTally> tallies) {
    if (jobIds.isEmpty()) {
      return List.of();
    }
    // By task id: a result its reader has archived and not yet settled is in both places.
    Map<String, TaskResult> withErrors = new LinkedHashMap<>();
    // Paged by key (task ids are strings, so comparable) so that only the first few failed tasks
    // come back.
    PagingPredicate<String, TaskResult> query =
        Predicates.pagingPredicate(
            Predicates.and(
                Predicates.in("jobId", jobIds.toArray(String[]::new)),
                Predicates.greaterThan("failed", 0)),
            MAX_FAILURES);
    // Read untyped: a Compact record of someone else's with a job id and counts (the map's index
    // takes any value with a job id) matches the query too; it is left out.
    Map<?, ?> matched = results.getAll(results.keySet(query));
    matched.forEach(
        (taskId, value) -> {
          if (taskId instanceof String id && value instanceof TaskResult result) {
            withErrors.put(id, result);
          }
        });
    for (String jobId : jobIds) {
      if (tallies.getOrDefault(jobId, JobTally.EMPTY).unreadFailed() > 0) {
        unreadFailures(jobId).forEach(r -> withErrors.putIfAbsent(r.taskId(), r));
      }
    }
    List<ClusterSnapshot.Failure> failures = new ArrayList<>();
    for (TaskResult result : withErrors.values()) {
      @Nullable String[] errors = result.errors();
      if (errors == null) {
        continue;
      }
      for (int i = 0; i < result.count() && failures.size() < MAX_FAILURES; i++) {
        String error = errors[i];
        if (error != null) {
          failures.add(
              new ClusterSnapshot.Failure(
                  result.jobId(), result.firstIndex() + i, result.item(i), error, result.worker()));
        }
      }
    }
    failures.sort(
        Comparator.comparing(ClusterSnapshot.Failure::jobId)
            .thenComparingLong(ClusterSnapshot.Failure::index));
    return failures;
  }

  /**
   * The first of {@code jobId}'s results with failures that the ledger holds unread (read only:
   * nothing is settled). A fresh ledger reads them: one that has read a job before knows only the
   * blocks the job had then.
   */
  private List<TaskResult> unreadFailures(String jobId) {
    List<TaskResult> found = new ArrayList<>();
    for (TaskResult result : ledgerOf(hazelcast).pending(jobId, UNREAD_SCAN)) {
      if (result.failed() > 0) {
        found.add(result);
      }
    }
    return found;
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
      ring.readManyAsync(from, 0, MAX_EVENTS, null)
          .toCompletableFuture()
          .get()
          .forEach(events::add);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RuntimeException e) {
      // overwritten while being read, or the cluster is going away: no events this time
    }
    Collections.reverse(events);
    return events;
  }
}
