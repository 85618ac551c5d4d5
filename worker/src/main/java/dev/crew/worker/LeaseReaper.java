package dev.crew.worker;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import dev.crew.common.FirstResultMergePolicy;
import dev.crew.common.Job;
import dev.crew.common.Names;
import dev.crew.common.ledger.BlockMergePolicy;
import dev.crew.common.ledger.HeartbeatWatch;
import dev.crew.common.ledger.HeldClaims;
import dev.crew.common.ledger.Loss;
import dev.crew.common.ledger.PutBacks;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.worker.stats.WorkerEvents;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when claims are lost, and has the ledger put them back; the rules themselves are the
 * ledger's ({@code dev.crew.common.ledger}).
 *
 * <ul>
 *   <li>Every worker heartbeats: a counter it bumps in the heartbeat map, without waiting on the
 *       cluster, from a thread that does nothing else, so a slow check never makes a live worker
 *       look silent.
 *   <li>The oldest member judges: when a member leaves, and again once the partitions have settled
 *       after it, every claim held on a member no longer in the cluster goes back ({@link
 *       Loss.Departed}: one pass over the ledger, whichever member holds the blocks); the claims of
 *       a member whose heartbeat has not moved for the lease timeout (hung, or cut off) go back
 *       when that timeout passes, counted only over time the judge could watch ({@link
 *       HeartbeatWatch}).
 *   <li>The oldest member also runs the ledger's audit once per lease timeout, and forgets the
 *       blocks of jobs that are cancelled, refused or gone; and it audits at each check after a
 *       departure, so that a block whose key a dying claimer had polled goes back at once.
 *   <li>Every worker puts back, once per lease timeout, its own claims past their deadline on tasks
 *       it does not run (a claim whose answer never reached it).
 * </ul>
 *
 * <p>A task put back may still finish on the worker that held it; its result then races the new
 * one, and the ledger keeps the first.
 */
final class LeaseReaper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);

  /** Checks that look for departed members' claims after a departure or a migration. */
  private static final int DEPARTURE_CHECKS = 3;

  private final HazelcastInstance hazelcast;
  private final TaskLedger ledger;
  private final Duration leaseTimeout;
  private final Duration heartbeat;
  private final LongSupplier nanoClock;
  private final Supplier<Set<String>> runningHere;
  private final IMap<String, Long> heartbeats;
  private final IMap<String, Job> jobs;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("crew-heartbeat").daemon(true).factory());
  private final ExecutorService checker =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("crew-lease-reaper").daemon(true).factory());
  private final AtomicBoolean checkPending = new AtomicBoolean();

  /** Checks left that look for departed members' claims; set by departures and migrations. */
  private final AtomicInteger departureChecks = new AtomicInteger();

  private final HeartbeatWatch watch;

  private long lastAudit;
  private UUID membershipListener;
  private UUID migrationListener;
  private long beats;
  private long mergeDropsLogged;

  /**
   * @param runningHere the ids of the tasks this worker holds now (running, or about to)
   */
  LeaseReaper(
      HazelcastInstance hazelcast,
      TaskLedger ledger,
      Duration leaseTimeout,
      Duration heartbeat,
      LongSupplier nanoClock,
      Supplier<Set<String>> runningHere) {
    this.hazelcast = hazelcast;
    this.ledger = ledger;
    this.leaseTimeout = leaseTimeout;
    this.heartbeat = heartbeat;
    this.nanoClock = nanoClock;
    this.runningHere = runningHere;
    this.heartbeats = hazelcast.getMap(Names.HEARTBEATS);
    this.jobs = hazelcast.getMap(Names.JOBS);
    this.lastAudit = nanoClock.getAsLong();
    this.watch = new HeartbeatWatch(leaseTimeout);
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
                    departed();
                  }
                });
    // A pass that runs while the lost member's partitions are promoted may not reach all of its
    // blocks; another runs as soon as they have settled.
    migrationListener =
        hazelcast
            .getPartitionService()
            .addMigrationListener(
                new MigrationListener() {
                  @Override
                  public void migrationStarted(MigrationState state) {}

                  @Override
                  public void migrationFinished(MigrationState state) {
                    departed();
                  }

                  @Override
                  public void replicaMigrationCompleted(ReplicaMigrationEvent event) {}

                  @Override
                  public void replicaMigrationFailed(ReplicaMigrationEvent event) {
                    departed();
                  }
                });
    timer.scheduleWithFixedDelay(this::beat, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void departed() {
    departureChecks.set(DEPARTURE_CHECKS);
    scheduleCheck();
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
      boolean audit = nanoClock.getAsLong() - lastAudit >= leaseTimeout.toNanos();
      if (isOldest()) {
        boolean departure = departureChecks.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        if (departure || audit) {
          putBackDeparted();
        }
        putBackSilent();
        if (audit) {
          audit();
        } else if (departure) {
          // A member that died between polling a block's key and claiming from it left the
          // block's tasks queued under no key, which no put-back finds: the ledger's audit offers
          // the key again once two audits in a row miss it. Run after a departure, those two come
          // within the departure's checks, not a lease timeout or two later.
          ledger.audit();
        }
      } else {
        watch.forget(); // another member judges; start afresh if this one becomes the oldest
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
    long dropped = FirstResultMergePolicy.dropped() + BlockMergePolicy.dropped();
    if (dropped != mergeDropsLogged) {
      log.warn(
          "a split-off part of the cluster merged back: dropped {} duplicate results it had"
              + " recorded for tasks that already had one ({} so far)",
          dropped - mergeDropsLogged,
          dropped);
      WorkerEvents.of(hazelcast).duplicatesMerged(dropped - mergeDropsLogged);
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

  private Set<String> memberUuids() {
    Set<String> members = new HashSet<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      members.add(member.getUuid().toString());
    }
    return members;
  }

  /** Puts back every claim held on a member that is no longer in the cluster. */
  void putBackDeparted() {
    report(ledger.putBack(new Loss.Departed(memberUuids())), "left the cluster");
  }

  /**
   * Puts back the claims of every member whose heartbeat has not moved for the lease timeout, as
   * the {@link HeartbeatWatch} judges it.
   */
  void putBackSilent() {
    Set<String> members = memberUuids();
    Map<String, Long> beats = new HashMap<>();
    // Read untyped: anyone on the network can put a value that is not a number at a member's key;
    // taken as a Long it failed every check (a ClassCastException) and so every put-back of a
    // silent member's claims. Such a value reads as no heartbeat.
    Map<?, ?> read = heartbeats.getAll(members);
    read.forEach(
        (member, beat) -> {
          if (member instanceof String uuid && beat instanceof Long count) {
            beats.put(uuid, count);
          }
        });
    members.forEach(member -> beats.putIfAbsent(member, -1L));
    for (String member : watch.silent(localUuid(), beats, nanoClock.getAsLong())) {
      report(
          ledger.putBack(new Loss.MemberLeft(member)),
          "sent no heartbeat for " + leaseTimeout.toSeconds() + " s");
    }
  }

  private int report(PutBacks back, String why) {
    for (Map.Entry<String, Integer> worker : back.byWorker().entrySet()) {
      log.warn(
          "worker {} {}: put {} of its tasks back on their queues",
          worker.getKey(),
          why,
          worker.getValue());
      WorkerEvents.of(hazelcast).requeued(worker.getKey(), why, worker.getValue());
    }
    return back.total();
  }

  /** Puts this worker's own unfinished tasks back (when it leaves before they finish). */
  int requeueOwn() {
    return report(ledger.putBack(new Loss.MemberLeft(localUuid())), "is leaving");
  }

  /**
   * Offers again blocks with queued tasks that are in no lane shard, and forgets the blocks of jobs
   * nobody waits for that still have a task queued, claimed or unread. Blocks whose tasks are all
   * consumed hold only counts: their job's retention removes them with it, or the map's time to
   * live. (Found among all blocks, this took a pass over every block of every job kept, 80-230 ms
   * of the partition threads with 13,000 blocks, once per lease timeout.)
   */
  void audit() {
    ledger.audit();
    for (String jobId : ledger.activeTallies().keySet()) {
      if (!HeldClaims.awaited(((IMap<?, ?>) jobs).get(jobId))) {
        ledger.forget(jobId);
      }
    }
  }

  /** Hands back this worker's claims past their deadline on tasks it does not run. */
  void handBackIdle() {
    int back = ledger.putBack(new Loss.ClaimsExpired(localUuid(), runningHere.get())).total();
    if (back > 0) {
      log.warn("held {} claims on tasks this worker does not run: put them back", back);
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
