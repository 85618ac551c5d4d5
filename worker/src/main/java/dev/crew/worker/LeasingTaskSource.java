package dev.crew.worker;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Lane;
import dev.crew.common.Lease;
import dev.crew.common.Names;
import dev.crew.common.TaskChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes task ids from a lane's queue, leases them to this worker, and fetches the tasks from the
 * task map.
 *
 * <p>{@code IQueue.poll} has no acknowledgement, so the queue carries only task ids and the tasks
 * themselves stay in the task map ({@link Names#TASKS}) until their results are recorded. A worker
 * that dies between taking ids and recording their leases therefore loses ids, never tasks: the
 * oldest member's audit finds a task that is in no queue, under no lease and has no result, twice
 * in a row, and queues its id again ({@link LeaseReaper}). No transaction is held across members,
 * so a dead or cut-off worker leaves no lock behind for the others to wait on.
 *
 * <p>A lease is claimed with {@code putIfAbsent}: an id queued twice (a requeue racing a late
 * offer) runs only under the first lease.
 */
final class LeasingTaskSource implements TaskSource {
  private static final Logger log = LoggerFactory.getLogger(LeasingTaskSource.class);

  private final HazelcastInstance hazelcast;
  private final Lane lane;
  private final IQueue<String> queue;
  private final IMap<String, Lease> leases;
  private final IMap<String, TaskChunk> tasks;
  private final String workerName;
  private final LongSupplier clock;

  LeasingTaskSource(HazelcastInstance hazelcast, Lane lane, String workerName, LongSupplier clock) {
    this.hazelcast = hazelcast;
    this.lane = lane;
    this.queue = hazelcast.getQueue(lane.queueName());
    this.leases = hazelcast.getMap(Names.LEASES);
    this.tasks = hazelcast.getMap(Names.TASKS);
    this.workerName = workerName;
    this.clock = clock;
  }

  @Override
  public List<TaskChunk> take(int max, Duration wait) throws InterruptedException {
    List<String> ids = new ArrayList<>(max);
    if (max > 1) {
      queue.drainTo(
          ids, max); // one round trip for a batch; a single free slot goes straight to the poll
    }
    if (ids.isEmpty()) {
      String first = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
      if (first == null) {
        return List.of();
      }
      ids.add(first);
    }
    // The member's uuid is read at each take: it changes when this member rejoins after a split.
    String uuid = hazelcast.getCluster().getLocalMember().getUuid().toString();
    long now = clock.getAsLong();
    Map<String, CompletableFuture<Lease>> claims = new LinkedHashMap<>();
    for (String id : ids) {
      claims.put(
          id,
          Async.putIfAbsent(
              leases, id, new Lease(id, Names.jobIdOf(id), lane, uuid, workerName, now)));
    }
    // The tasks are read while the claims are on their way: one round trip less per take. A task is
    // stored before
    // its id is queued, so it is found unless it was recorded or cancelled meanwhile.
    // One asynchronous get per id rather than getAll: for the few keys of a take, getAll's
    // invocation on partitions
    // costs several times more.
    Map<String, CompletableFuture<TaskChunk>> reads = new LinkedHashMap<>();
    for (String id : ids) {
      reads.put(id, tasks.getAsync(id).toCompletableFuture());
    }
    Map<String, TaskChunk> found = new HashMap<>();
    for (Map.Entry<String, CompletableFuture<TaskChunk>> read : reads.entrySet()) {
      TaskChunk chunk = Async.join(read.getValue());
      if (chunk != null) {
        found.put(read.getKey(), chunk);
      }
    }
    List<String> claimed = new ArrayList<>(ids.size());
    for (Map.Entry<String, CompletableFuture<Lease>> claim : claims.entrySet()) {
      Lease holder = Async.join(claim.getValue());
      if (holder == null) {
        claimed.add(claim.getKey());
      } else {
        log.debug("task {} was queued twice; {} holds it", claim.getKey(), holder.workerName());
      }
    }
    List<TaskChunk> taken = new ArrayList<>(claimed.size());
    for (String id : claimed) {
      TaskChunk chunk = found.get(id);
      if (chunk == null) {
        leases.delete(id); // recorded or cancelled since its id was queued: nothing to run
      } else {
        taken.add(chunk);
      }
    }
    return taken;
  }
}
