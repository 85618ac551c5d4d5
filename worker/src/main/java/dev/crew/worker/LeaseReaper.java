package dev.crew.worker;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import com.hazelcast.query.Predicates;
import dev.crew.common.FirstResultMergePolicy;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Lease;
import dev.crew.common.Names;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps leases honest, and makes sure that every stored task ends up queued, leased or recorded.
 *
 * <ul>
 *   <li>Every worker heartbeats: a counter it bumps in the heartbeat map, without waiting on the
 *       cluster, from a thread that does nothing else, so a slow check never makes a live worker
 *       look silent.
 *   <li>The oldest member reaps: the tasks leased by a worker that left the cluster go back on
 *       their queue at once, and those of a worker whose heartbeat has not moved for the lease
 *       timeout (hung, or cut off) go back when that timeout passes. Heartbeats are compared by
 *       whether they changed, timed on the reaper's own monotonic clock, so clocks that differ
 *       between hosts do not matter.
 *   <li>The oldest member also audits, once per lease timeout: a task in the task map that is in no
 *       queue, under no lease and has no result was lost between a queue poll and its lease (the
 *       taker died in that instant), or between being stored and being queued (its submitter died);
 *       found so twice in a row, it is queued again.
 *   <li>Every worker checks its own leases: one held for a lease timeout on a task this worker is
 *       not running (its take failed half way, or it rejoined after a split with leases from
 *       before) is handed back.
 * </ul>
 *
 * <p>A put-back is redone until it is whole: the check runs again when the partitions that moved
 * after a loss have settled, and an id whose lease this member ended but could not queue is offered
 * again at every check until it is queued, instead of waiting for the audit. The lease is the key:
 * only the member whose {@code remove(id, lease)} succeeds queues the id, so no pass queues a task
 * twice.
 *
 * <p>A task put back may still finish on the worker that held it; its result then races the new
 * one, and the results map keeps the first.
 */
final class LeaseReaper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);
  private static final Duration OFFER_WAIT = Duration.ofSeconds(5);

  /** A retry waits little: the check it runs in must not keep a departure waiting. */
  private static final Duration RETRY_OFFER_WAIT = Duration.ofMillis(100);

  private final HazelcastInstance hazelcast;
  private final Duration leaseTimeout;
  private final Duration heartbeat;
  private final LongSupplier nanoClock;
  private final Predicate<String> runningHere;
  private final IMap<String, Lease> leases;
  private final IMap<String, Long> heartbeats;
  private final IMap<String, TaskResult> results;
  private final IMap<String, TaskChunk> tasks;
  private final IMap<String, Job> jobs;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("crew-heartbeat").daemon(true).factory());
  private final ExecutorService checker =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("crew-lease-reaper").daemon(true).factory());
  private final AtomicBoolean checkPending = new AtomicBoolean();

  /** Ids whose lease this member ended but whose queue had no room: offered again at each check. */
  private final Map<String, Lane> unqueued = new ConcurrentHashMap<>();

  /** Per worker: the heartbeat value last seen, and when (reaper's clock) it was first seen. */
  private final Map<String, long[]> lastSeen = new HashMap<>();

  /** Tasks the last audit found nowhere; queued again if the next one finds them nowhere too. */
  private Set<String> suspects = Set.of();

  private long lastAudit;
  private UUID membershipListener;
  private UUID migrationListener;
  private long beats;
  private long mergeDropsLogged;

  /**
   * @param runningHere whether a task id is running on this worker now
   */
  LeaseReaper(
      HazelcastInstance hazelcast,
      Duration leaseTimeout,
      Duration heartbeat,
      LongSupplier nanoClock,
      Predicate<String> runningHere) {
    this.hazelcast = hazelcast;
    this.leaseTimeout = leaseTimeout;
    this.heartbeat = heartbeat;
    this.nanoClock = nanoClock;
    this.runningHere = runningHere;
    this.leases = hazelcast.getMap(Names.LEASES);
    this.heartbeats = hazelcast.getMap(Names.HEARTBEATS);
    this.results = hazelcast.getMap(Names.RESULTS);
    this.tasks = hazelcast.getMap(Names.TASKS);
    this.jobs = hazelcast.getMap(Names.JOBS);
    this.lastAudit = nanoClock.getAsLong();
  }

  void start() {
    membershipListener =
        hazelcast
            .getCluster()
            .addMembershipListener(
                new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent event) {}

                  @Override
                  public void memberRemoved(MembershipEvent event) {
                    scheduleCheck();
                  }
                });
    // A check that runs while the lost member's partitions are promoted may not see all of its
    // leases, nor reach the queue it puts them back on; another runs as soon as they have settled.
    migrationListener =
        hazelcast
            .getPartitionService()
            .addMigrationListener(
                new MigrationListener() {
                  @Override
                  public void migrationStarted(MigrationState state) {}

                  @Override
                  public void migrationFinished(MigrationState state) {
                    scheduleCheck();
                  }

                  @Override
                  public void replicaMigrationCompleted(ReplicaMigrationEvent event) {}

                  @Override
                  public void replicaMigrationFailed(ReplicaMigrationEvent event) {
                    scheduleCheck();
                  }
                });
    timer.scheduleWithFixedDelay(this::beat, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
  }

  private String localUuid() {
    return hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  private void beat() {
    try {
      heartbeats.setAsync(localUuid(), ++beats);
    } catch (RuntimeException e) {
      warnIfRunning("heartbeat failed", e);
    }
    scheduleCheck();
  }

  /** Runs a check on the checker thread, unless one is already waiting to run. */
  private void scheduleCheck() {
    if (checkPending.compareAndSet(false, true)) {
      try {
        checker.execute(this::check);
      } catch (RuntimeException e) {
        checkPending.set(false); // shutting down
      }
    }
  }

  private void check() {
    checkPending.set(false);
    logMergeDrops();
    try {
      queueAgain();
      boolean audit = nanoClock.getAsLong() - lastAudit >= leaseTimeout.toNanos();
      if (isOldest()) {
        reap();
        if (audit) {
          audit();
        }
      } else {
        lastSeen.clear(); // another member reaps; start afresh if this one becomes the oldest
        suspects = Set.of();
      }
      if (audit) {
        lastAudit = nanoClock.getAsLong();
        handBackIdle();
      }
    } catch (RuntimeException e) {
      warnIfRunning("lease check failed", e);
    }
  }

  /**
   * Merges run on partition threads, which must not log per entry: the drops they counted are
   * logged here.
   */
  private void logMergeDrops() {
    long dropped = FirstResultMergePolicy.dropped();
    if (dropped != mergeDropsLogged) {
      log.warn(
          "a split-off part of the cluster merged back: dropped {} duplicate results it had recorded for tasks that"
              + " already had one ({} so far)",
          dropped - mergeDropsLogged,
          dropped);
      dev.crew.worker.stats.WorkerEvents.of(hazelcast).duplicatesMerged(dropped - mergeDropsLogged);
      mergeDropsLogged = dropped;
    }
  }

  private void warnIfRunning(String what, RuntimeException e) {
    if (hazelcast.getLifecycleService().isRunning()) {
      log.warn("{}: {}", what, e.toString());
    }
  }

  private boolean isOldest() {
    return hazelcast.getCluster().getMembers().iterator().next().localMember();
  }

  /**
   * One pass: puts back the tasks of every lease holder that is gone or silent. A holder counts as
   * silent only while heartbeats reach the map at all, which this member's own shows: when its own
   * has not moved either (a member holding heartbeat partitions is cut off, and writes to them
   * wait), silence proves nothing yet.
   */
  void reap() {
    Set<String> holders = new HashSet<>(leases.aggregate(Aggregators.distinct("workerUuid")));
    String local = localUuid();
    lastSeen.keySet().retainAll(union(holders, local));
    if (holders.isEmpty()) {
      return;
    }
    Set<String> members = new HashSet<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      members.add(member.getUuid().toString());
    }
    Set<String> asked = new HashSet<>(holders);
    asked.add(local);
    Map<String, Long> beatsNow = heartbeats.getAll(asked);
    long now = nanoClock.getAsLong();
    for (String worker : asked) {
      long beat = beatsNow.getOrDefault(worker, -1L);
      long[] seen = lastSeen.get(worker);
      if (seen == null || seen[0] != beat) {
        lastSeen.put(worker, new long[] {beat, now});
      }
    }
    boolean beatsArrive = now - lastSeen.get(local)[1] <= leaseTimeout.toNanos();
    for (String holder : holders) {
      if (!members.contains(holder)) {
        requeue(holder, "left the cluster");
        heartbeats.delete(holder);
        lastSeen.remove(holder);
      } else if (!holder.equals(local)
          && beatsArrive
          && now - lastSeen.get(holder)[1] > leaseTimeout.toNanos()) {
        requeue(holder, "sent no heartbeat for " + leaseTimeout.toSeconds() + " s");
        lastSeen.remove(holder);
      }
    }
  }

  private static Set<String> union(Set<String> set, String one) {
    Set<String> all = new HashSet<>(set);
    all.add(one);
    return all;
  }

  /** Puts the tasks leased by {@code holder} back on their queues; returns how many. */
  int requeue(String holder, String why) {
    Collection<Lease> held = leases.values(Predicates.equal("workerUuid", holder));
    if (held.isEmpty()) {
      return 0;
    }
    log.debug("worker {} {}: holds {}", holder, why, held.stream().map(Lease::taskId).toList());
    int requeued = putBack(held);
    String name = held.iterator().next().workerName();
    log.warn("worker {} {}: put {} of its tasks back on their queues", name, why, requeued);
    dev.crew.worker.stats.WorkerEvents.of(hazelcast).requeued(name, why, requeued);
    return requeued;
  }

  /** Puts this worker's own unfinished tasks back (when it leaves before they finish). */
  int requeueOwn() {
    return requeue(localUuid(), "is leaving");
  }

  /**
   * Ends each lease and queues its task's id again, the lease first, so that the next taker's claim
   * finds no lease in its way. If this member dies in between, the task is in no queue and under no
   * lease, and the audit requeues it.
   */
  private int putBack(Collection<Lease> held) {
    AtomicInteger requeued = new AtomicInteger();
    try (ExecutorService parallel = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Lease lease : held) {
        parallel.execute(
            () -> {
              if (results.containsKey(lease.taskId())) {
                // Recorded; the worker was lost before it could end the lease and delete the task.
                leases.remove(lease.taskId(), lease);
                tasks.delete(lease.taskId());
              } else if (leases.remove(lease.taskId(), lease)) {
                if (offer(lease.lane(), lease.taskId())) {
                  requeued.incrementAndGet();
                } else {
                  unqueued.put(lease.taskId(), lease.lane());
                }
              } else {
                log.debug("task {}: its lease had changed or gone; not put back", lease.taskId());
              }
            });
      }
    }
    return requeued.get();
  }

  private boolean offer(Lane lane, String taskId) {
    return offer(lane, taskId, OFFER_WAIT, /* retry= */ false);
  }

  /** Queues {@code taskId}; a retry warns of nothing, its first attempt did. */
  private boolean offer(Lane lane, String taskId, Duration wait, boolean retry) {
    IQueue<String> queue = hazelcast.getQueue(lane.queueName());
    try {
      if (queue.offer(taskId, wait.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (!retry) {
        log.warn("queue {} is full; task {} goes back when it has room", lane.queueName(), taskId);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!retry) {
        warnIfRunning("could not put task " + taskId + " back (retried at each check)", e);
      }
    }
    return false;
  }

  /**
   * Offers again the ids whose lease this member ended but could not queue. One this member put
   * back meanwhile by another path, or that was recorded, is left alone; one the audit queued too
   * runs under its first lease only.
   */
  private void queueAgain() {
    int queued = 0;
    for (Map.Entry<String, Lane> waiting : Map.copyOf(unqueued).entrySet()) {
      String taskId = waiting.getKey();
      if (results.containsKey(taskId) || leases.containsKey(taskId) || !tasks.containsKey(taskId)) {
        unqueued.remove(taskId); // recorded, taken again, or forgotten since
      } else if (offer(waiting.getValue(), taskId, RETRY_OFFER_WAIT, /* retry= */ true)) {
        unqueued.remove(taskId);
        queued++;
      }
    }
    if (queued > 0) {
      log.warn("put back {} more tasks whose queue had been full or out of reach", queued);
    }
  }

  /** Ids this member ended the lease of and has yet to queue again. */
  int unqueued() {
    return unqueued.size();
  }

  /**
   * Finds stored tasks that are in no queue, under no lease and without a result; queues again
   * those found so in the previous audit too, and forgets the tasks of jobs that are over.
   *
   * <p>Tasks move stored -> queued -> leased -> recorded (and back to queued only by this thread,
   * or by a worker that hands its own back), so reading the stored ids first, then the queues, then
   * the leases, then the results, sees every task that moves during the audit in one of them; a
   * task caught between two steps by a concurrent hand-back is seen again by the next audit.
   */
  void audit() {
    Set<String> nowhere = new HashSet<>(tasks.keySet());
    if (nowhere.isEmpty()) {
      suspects = Set.of();
      return;
    }
    for (Lane lane : Lane.values()) {
      for (String queued : hazelcast.<String>getQueue(lane.queueName())) {
        nowhere.remove(queued);
      }
    }
    nowhere.removeAll(leases.keySet());
    nowhere.removeAll(unqueued.keySet()); // queued by queueAgain() as soon as there is room
    Set<String> again = new HashSet<>();
    List<String> requeued = new ArrayList<>();
    for (String taskId : nowhere) {
      if (results.containsKey(taskId)) {
        tasks.delete(taskId); // recorded; its worker was gone before it could delete the task
        continue;
      }
      Job job = jobs.get(Names.jobIdOf(taskId));
      if (job == null || job.state() == JobState.CANCELLED || job.state() == JobState.REFUSED) {
        tasks.delete(taskId); // nobody waits for it
      } else if (suspects.contains(taskId)) {
        if (offer(job.lane(), taskId)) {
          requeued.add(taskId);
        }
      } else {
        again.add(taskId);
      }
    }
    suspects = again;
    if (!requeued.isEmpty()) {
      log.warn(
          "{} tasks were in no queue, under no lease and unrecorded (a worker died as it took them, or a submitter"
              + " as it queued them): queued them again, e.g. {}",
          requeued.size(),
          requeued.getFirst());
    }
  }

  /** Hands back this worker's leases on tasks it does not run and took over a lease timeout ago. */
  void handBackIdle() {
    long before = System.currentTimeMillis() - leaseTimeout.toMillis();
    List<Lease> idle = new ArrayList<>();
    for (Lease lease : leases.values(Predicates.equal("workerUuid", localUuid()))) {
      if (lease.takenMillis() < before && !runningHere.test(lease.taskId())) {
        idle.add(lease);
      }
    }
    if (!idle.isEmpty()) {
      int requeued = putBack(idle);
      log.warn(
          "held {} leases on tasks this worker does not run: put {} of them back",
          idle.size(),
          requeued);
    }
  }

  @Override
  public void close() {
    try {
      if (membershipListener != null) {
        hazelcast.getCluster().removeMembershipListener(membershipListener);
      }
      if (migrationListener != null) {
        hazelcast.getPartitionService().removeMigrationListener(migrationListener);
      }
    } catch (RuntimeException e) {
      // the member is already shutting down
    }
    timer.shutdownNow();
    checker.shutdownNow();
  }
}
