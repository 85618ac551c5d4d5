package dev.crew.worker;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.transaction.TransactionContext;
import com.hazelcast.transaction.TransactionOptions;
import com.hazelcast.transaction.TransactionalMap;
import com.hazelcast.transaction.TransactionalQueue;
import dev.crew.common.Lane;
import dev.crew.common.Lease;
import dev.crew.common.Names;
import dev.crew.common.TaskChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Takes tasks from a lane's queue and records a lease for each in the same transaction.
 *
 * <p>{@code IQueue.poll} has no acknowledgement: a task polled by a worker that dies before it records its lease
 * would vanish. Here the poll and the lease commit together: if this member dies before the commit, Hazelcast rolls
 * the transaction back and the tasks are in the queue again; after the commit, the lease names this worker, and the
 * lease reaper puts the tasks back if this worker leaves the cluster or stops heartbeating.
 */
final class LeasingTaskSource implements TaskSource {
  private static final TransactionOptions OPTIONS =
      new TransactionOptions()
          .setTransactionType(TransactionOptions.TransactionType.TWO_PHASE)
          .setTimeout(1, TimeUnit.MINUTES);

  private final HazelcastInstance hazelcast;
  private final Lane lane;
  private final String workerUuid;
  private final String workerName;
  private final LongSupplier clock;

  LeasingTaskSource(HazelcastInstance hazelcast, Lane lane, String workerUuid, String workerName, LongSupplier clock) {
    this.hazelcast = hazelcast;
    this.lane = lane;
    this.workerUuid = workerUuid;
    this.workerName = workerName;
    this.clock = clock;
  }

  @Override
  public List<TaskChunk> take(int max, Duration wait) throws InterruptedException {
    TransactionContext tx = hazelcast.newTransactionContext(OPTIONS);
    tx.beginTransaction();
    boolean committed = false;
    try {
      TransactionalQueue<TaskChunk> queue = tx.getQueue(lane.queueName());
      TaskChunk first = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
      if (first == null) {
        return List.of();
      }
      List<TaskChunk> taken = new ArrayList<>(max);
      taken.add(first);
      for (TaskChunk next; taken.size() < max && (next = queue.poll()) != null; ) {
        taken.add(next);
      }
      TransactionalMap<String, Lease> leases = tx.getMap(Names.LEASES);
      long now = clock.getAsLong();
      for (TaskChunk chunk : taken) {
        leases.set(chunk.taskId(), new Lease(chunk, lane, workerUuid, workerName, now));
      }
      tx.commitTransaction();
      committed = true;
      return taken;
    } finally {
      if (!committed) {
        tx.rollbackTransaction();
      }
    }
  }
}
