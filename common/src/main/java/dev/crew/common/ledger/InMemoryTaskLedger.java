package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The ledger in one JVM, under one lock: the same moves ({@link TaskBlock}) as the cluster's, for
 * the core's tests and for a worker that runs alone. One queue of block keys per lane stands for
 * the cluster's shards.
 */
public final class InMemoryTaskLedger implements TaskLedger {
  private final LedgerLayout layout;
  private final Duration claimTimeout;
  private final LongSupplier clockMillis;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();

  /** Blocks by job, then by index, so a job's results come out in task order. */
  private final Map<String, TreeMap<Long, TaskBlock>> jobs = new HashMap<>();

  private final Map<Lane, ArrayDeque<BlockKey>> lanes = new EnumMap<>(Lane.class);

  /** Each a lane and a block key: queued there, in none of its shards at the last audit. */
  private Set<List<Object>> suspects = Set.of();

  /**
   * @param clockMillis the wall clock claims' deadlines are read from
   */
  public InMemoryTaskLedger(LedgerLayout layout, Duration claimTimeout, LongSupplier clockMillis) {
    this.layout = requireNonNull(layout, "layout");
    this.claimTimeout = requireNonNull(claimTimeout, "claimTimeout");
    this.clockMillis = requireNonNull(clockMillis, "clockMillis");
    for (Lane lane : Lane.values()) {
      lanes.put(lane, new ArrayDeque<>());
    }
  }

  @Override
  public void store(Lane lane, List<Lane> laterLanes, List<TaskChunk> tasks) {
    lock.lock();
    try {
      for (Map.Entry<BlockKey, List<TaskChunk>> block :
          layout.byBlock(tasks, TaskChunk::jobId, TaskChunk::seq).entrySet()) {
        BlockKey key = block.getKey();
        TaskBlock current =
            blocksOf(key.jobId())
                .computeIfAbsent(
                    key.index(),
                    i -> TaskBlock.empty(key.jobId(), lane, layout.firstSeqOf(key), laterLanes));
        TaskBlock.Step<Boolean> step = current.add(block.getValue());
        put(key, step.block());
        if (step.outcome()) {
          offer(lane, key);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<TaskChunk> claim(Lane lane, Claimant claimant, int max, Duration wait)
      throws InterruptedException {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    long waitNanos = wait.toNanos();
    lock.lockInterruptibly();
    try {
      ArrayDeque<BlockKey> keys = keysOf(lane);
      List<TaskChunk> claimed = new ArrayList<>();
      // Blocks whose queued tasks are all for other members (broadcast): passed over until a wait.
      Set<BlockKey> passedOver = new HashSet<>();
      while (claimed.isEmpty()) {
        BlockKey key = keys.poll();
        if (key == null || passedOver.contains(key)) {
          if (key != null) {
            keys.offerFirst(key);
          }
          if (waitNanos <= 0) {
            return List.of();
          }
          waitNanos = queued.awaitNanos(waitNanos);
          passedOver.clear();
          continue;
        }
        TaskBlock block = find(key);
        if (block == null) {
          continue; // forgotten since its key was offered
        }
        TaskBlock.Step<List<TaskChunk>> step =
            block.claim(claimant, max, clockMillis.getAsLong() + claimTimeout.toMillis(), lane);
        put(key, step.block());
        claimed.addAll(step.outcome());
        if (step.block().queuedFor(lane) > 0) {
          keys.offer(key);
          if (step.outcome().isEmpty()) {
            passedOver.add(key);
          }
        }
      }
      return claimed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int renew(Claimant claimant, Collection<TaskChunk> held) {
    lock.lock();
    try {
      long deadline = clockMillis.getAsLong() + claimTimeout.toMillis();
      Set<BlockKey> keys = new HashSet<>();
      for (TaskChunk task : held) {
        keys.add(layout.keyOf(task.jobId(), task.seq()));
      }
      int renewed = 0;
      for (BlockKey key : keys) {
        TaskBlock block = find(key);
        if (block != null) {
          TaskBlock.Step<Integer> step = block.renew(claimant.memberUuid(), deadline);
          put(key, step.block());
          renewed += step.outcome();
        }
      }
      return renewed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public RecordOutcome record(List<TaskResult> results, List<TaskChunk> next) {
    lock.lock();
    try {
      RecordOutcome outcome = RecordOutcome.NONE;
      for (Map.Entry<BlockKey, List<TaskResult>> batch :
          layout.byBlock(results, TaskResult::jobId, TaskResult::seq).entrySet()) {
        TaskBlock block = find(batch.getKey());
        if (block == null) {
          List<String> gone = new ArrayList<>();
          batch.getValue().forEach(r -> gone.add(r.taskId()));
          outcome = outcome.plus(new RecordOutcome(0, List.of(), gone));
          continue;
        }
        TaskBlock.Step<RecordOutcome> step = block.record(batch.getValue(), next);
        put(batch.getKey(), step.block());
        outcome = outcome.plus(step.outcome());
        List<Lane> before = block.queuedLanes();
        for (Lane lane : step.block().queuedLanes()) {
          if (!before.contains(lane)) {
            offer(lane, batch.getKey()); // a pipeline's next stage, queued on its lane
          }
        }
      }
      return outcome;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<TaskResult> pending(String jobId, int max) {
    lock.lock();
    try {
      List<TaskResult> found = new ArrayList<>();
      TreeMap<Long, TaskBlock> blocks = jobs.get(jobId);
      if (blocks == null) {
        return List.of();
      }
      for (TaskBlock block : blocks.values()) {
        if (found.size() >= max) {
          break;
        }
        found.addAll(block.pending(max - found.size()));
      }
      return found;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<TaskResult> delivered(String jobId) {
    lock.lock();
    try {
      List<TaskResult> found = new ArrayList<>();
      for (TaskBlock block : jobs.getOrDefault(jobId, new TreeMap<>()).values()) {
        found.addAll(block.delivered());
      }
      return found;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int settle(String jobId, Collection<TaskResult> delivered) {
    lock.lock();
    try {
      int settled = 0;
      for (Map.Entry<BlockKey, List<Long>> block :
          layout.seqsByBlock(delivered, result -> jobId, TaskResult::seq).entrySet()) {
        TaskBlock current = find(block.getKey());
        if (current != null) {
          TaskBlock.Step<Integer> step = current.settle(block.getValue());
          put(block.getKey(), step.block());
          settled += step.outcome();
        }
      }
      return settled;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int release(Claimant claimant, Collection<TaskChunk> tasks) {
    lock.lock();
    try {
      int released = 0;
      for (Map.Entry<BlockKey, List<Long>> block :
          layout.seqsByBlock(tasks, TaskChunk::jobId, TaskChunk::seq).entrySet()) {
        TaskBlock current = find(block.getKey());
        if (current != null) {
          TaskBlock.Step<Integer> step = current.release(claimant.memberUuid(), block.getValue());
          put(block.getKey(), step.block());
          if (step.changed()) {
            released += step.outcome();
            step.block().queuedLanes().forEach(lane -> offer(lane, block.getKey()));
          }
        }
      }
      return released;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public PutBacks putBack(Loss loss) {
    lock.lock();
    try {
      long now = clockMillis.getAsLong();
      PutBacks back = PutBacks.NONE;
      for (TreeMap<Long, TaskBlock> blocks : jobs.values()) {
        for (Map.Entry<Long, TaskBlock> entry : blocks.entrySet()) {
          TaskBlock block = entry.getValue();
          TaskBlock.Step<List<String>> step = block.putBack(loss, now);
          if (step.changed()) {
            entry.setValue(step.block());
            back = back.plus(step.outcome());
            BlockKey key = layout.keyOf(block.jobId(), block.firstSeq());
            // Ahead of the blocks waiting: the oldest tasks of their jobs.
            step.block().queuedLanes().forEach(lane -> offerFirst(lane, key));
          }
        }
      }
      return back;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int audit() {
    lock.lock();
    try {
      Set<List<Object>> nowhere = new HashSet<>();
      int offered = 0;
      for (TreeMap<Long, TaskBlock> blocks : jobs.values()) {
        for (TaskBlock block : blocks.values()) {
          BlockKey key = layout.keyOf(block.jobId(), block.firstSeq());
          for (Lane lane : block.queuedLanes()) {
            if (keysOf(lane).contains(key)) {
              continue;
            }
            if (suspects.contains(List.of(lane, key))) {
              offer(lane, key);
              offered++;
            } else {
              nowhere.add(List.of(lane, key));
            }
          }
        }
      }
      suspects = nowhere;
      return offered;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public JobTally tally(String jobId) {
    lock.lock();
    try {
      JobTally tally = JobTally.EMPTY;
      for (TaskBlock block : jobs.getOrDefault(jobId, new TreeMap<>()).values()) {
        tally = tally.plus(block.tally());
      }
      return tally;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Map<String, JobTally> tallies() {
    return tallies(false);
  }

  @Override
  public Map<String, JobTally> activeTallies() {
    return tallies(true);
  }

  private Map<String, JobTally> tallies(boolean activeOnly) {
    lock.lock();
    try {
      Map<String, JobTally> tallies = new HashMap<>();
      for (Map.Entry<String, TreeMap<Long, TaskBlock>> job : jobs.entrySet()) {
        JobTally tally = JobTally.EMPTY;
        boolean counted = false;
        for (TaskBlock block : job.getValue().values()) {
          if (!activeOnly || block.active()) {
            tally = tally.plus(block.tally());
            counted = true;
          }
        }
        if (counted || !activeOnly) {
          tallies.put(job.getKey(), tally);
        }
      }
      return tallies;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void forget(String jobId) {
    lock.lock();
    try {
      jobs.remove(jobId);
    } finally {
      lock.unlock();
    }
  }

  /** Takes a key off a lane as a claimer that dies right after its poll would. */
  boolean loseKey(Lane lane) {
    lock.lock();
    try {
      return keysOf(lane).poll() != null;
    } finally {
      lock.unlock();
    }
  }

  /** How many block entries the job holds, consumed or not. */
  int blocks(String jobId) {
    lock.lock();
    try {
      return jobs.getOrDefault(jobId, new TreeMap<>()).size();
    } finally {
      lock.unlock();
    }
  }

  private ArrayDeque<BlockKey> keysOf(Lane lane) {
    return requireNonNull(lanes.get(lane), "lane");
  }

  private TreeMap<Long, TaskBlock> blocksOf(String jobId) {
    return jobs.computeIfAbsent(jobId, j -> new TreeMap<>());
  }

  private @Nullable TaskBlock find(BlockKey key) {
    TreeMap<Long, TaskBlock> blocks = jobs.get(key.jobId());
    return blocks == null ? null : blocks.get(key.index());
  }

  private void put(BlockKey key, TaskBlock block) {
    blocksOf(key.jobId()).put(key.index(), block);
  }

  private void offer(Lane lane, BlockKey key) {
    keysOf(lane).offer(key);
    queued.signalAll();
  }

  private void offerFirst(Lane lane, BlockKey key) {
    keysOf(lane).remove(key);
    keysOf(lane).offerFirst(key);
    queued.signalAll();
  }
}
