package dev.crew.worker;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import dev.crew.common.Lease;
import dev.crew.common.Names;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps leases honest. Every worker heartbeats (a counter it bumps in the heartbeat map); the oldest member also
 * reaps: the tasks leased by a worker that left the cluster go back on their queue at once, and those of a worker
 * whose heartbeat has not moved for the lease timeout (hung, or cut off) go back when that timeout passes.
 *
 * <p>Heartbeats are compared by whether they changed, timed on the reaper's own monotonic clock, so clocks that
 * differ between hosts do not matter. A task put back may still finish on the worker that held it; its result then
 * races the new one, and the results map keeps the first.
 */
final class LeaseReaper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);

  private final HazelcastInstance hazelcast;
  private final Duration leaseTimeout;
  private final Duration heartbeat;
  private final LongSupplier nanoClock;
  private final IMap<String, Lease> leases;
  private final IMap<String, Long> heartbeats;
  private final IMap<String, TaskResult> results;
  private final String localUuid;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("crew-lease-reaper").daemon(true).factory());
  /** Per worker: the heartbeat value last seen, and when (reaper's clock) it was first seen. */
  private final Map<String, long[]> lastSeen = new HashMap<>();
  private UUID membershipListener;
  private long beats;

  LeaseReaper(HazelcastInstance hazelcast, Duration leaseTimeout, Duration heartbeat, LongSupplier nanoClock) {
    this.hazelcast = hazelcast;
    this.leaseTimeout = leaseTimeout;
    this.heartbeat = heartbeat;
    this.nanoClock = nanoClock;
    this.leases = hazelcast.getMap(Names.LEASES);
    this.heartbeats = hazelcast.getMap(Names.HEARTBEATS);
    this.results = hazelcast.getMap(Names.RESULTS);
    this.localUuid = hazelcast.getCluster().getLocalMember().getUuid().toString();
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
                    timer.execute(LeaseReaper.this::tick);
                  }
                });
    timer.scheduleWithFixedDelay(this::tick, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      heartbeats.set(localUuid, ++beats);
      if (isOldest()) {
        reap();
      } else {
        lastSeen.clear(); // another member reaps; start afresh if this one becomes the oldest
      }
    } catch (RuntimeException e) {
      if (hazelcast.getLifecycleService().isRunning()) {
        log.warn("lease check failed: {}", e.toString());
      }
    }
  }

  private boolean isOldest() {
    return hazelcast.getCluster().getMembers().iterator().next().localMember();
  }

  /** One pass: puts back the tasks of every lease holder that is gone or silent. */
  void reap() {
    Set<String> holders = new HashSet<>(leases.aggregate(Aggregators.distinct("workerUuid")));
    lastSeen.keySet().retainAll(holders);
    if (holders.isEmpty()) {
      return;
    }
    Set<String> members = new HashSet<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      members.add(member.getUuid().toString());
    }
    Map<String, Long> beatsNow = heartbeats.getAll(holders);
    long now = nanoClock.getAsLong();
    for (String holder : holders) {
      long beat = beatsNow.getOrDefault(holder, -1L);
      long[] seen = lastSeen.get(holder);
      if (seen == null || seen[0] != beat) {
        lastSeen.put(holder, seen = new long[] {beat, now});
      }
      if (!members.contains(holder)) {
        requeue(holder, "left the cluster");
        heartbeats.delete(holder);
        lastSeen.remove(holder);
      } else if (now - seen[1] > leaseTimeout.toNanos()) {
        requeue(holder, "sent no heartbeat for " + leaseTimeout.toSeconds() + " s");
        lastSeen.remove(holder);
      }
    }
  }

  /** Puts the tasks leased by {@code holder} back on their queues; returns how many. */
  int requeue(String holder, String why) {
    Collection<Lease> held = leases.values(Predicates.equal("workerUuid", holder));
    int requeued = 0;
    String name = holder;
    for (Lease lease : held) {
      name = lease.workerName();
      if (results.containsKey(lease.taskId())) {
        leases.remove(lease.taskId(), lease); // done; the worker was lost before it could drop its lease
        continue;
      }
      IQueue<TaskChunk> queue = hazelcast.getQueue(lease.lane().queueName());
      try {
        if (!queue.offer(lease.chunk().nextAttempt(), 5, TimeUnit.SECONDS)) {
          log.warn("queue {} is full; task {} goes back at the next check", lease.lane().queueName(), lease.taskId());
          continue;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return requeued;
      }
      leases.remove(lease.taskId(), lease);
      requeued++;
    }
    if (!held.isEmpty()) {
      log.warn("worker {} {}: put {} of its tasks back on their queues", name, why, requeued);
      dev.crew.worker.stats.WorkerEvents.of(hazelcast).requeued(name, why, requeued);
    }
    return requeued;
  }

  /** Puts this worker's own unfinished tasks back (when it leaves before they finish). */
  int requeueOwn() {
    return requeue(localUuid, "is leaving");
  }

  @Override
  public void close() {
    if (membershipListener != null) {
      try {
        hazelcast.getCluster().removeMembershipListener(membershipListener);
      } catch (RuntimeException e) {
        // the member is already shutting down
      }
    }
    timer.shutdownNow();
  }
}
