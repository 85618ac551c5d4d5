package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

import com.hazelcast.map.EntryProcessor;
import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One move on one block, run by the block's partition owner as an entry processor: the block is
 * read and written in one step, so two claims or two records of a block never interleave. Each move
 * carries every input it needs, time included, so its backup processor (the same move) leaves the
 * backup replica exactly as the owner's.
 */
record BlockOp(Move move) implements EntryProcessor<BlockKey, TaskBlock, BlockOutcome> {

  BlockOp {
    requireNonNull(move, "move");
  }

  /** The moves a block supports: each is a {@link TaskBlock} method. */
  sealed interface Move {}

  /**
   * @param laterLanes the lanes of a pipeline's later stages, set when the block is made (empty for
   *     a job of one stage)
   */
  record Add(Lane lane, long firstSeq, List<TaskChunk> tasks, List<Lane> laterLanes)
      implements Move {
    Add {
      tasks = List.copyOf(tasks);
      laterLanes = List.copyOf(laterLanes);
    }

    Add(Lane lane, long firstSeq, List<TaskChunk> tasks) {
      this(lane, firstSeq, tasks, List.of());
    }
  }

  /**
   * @param lane the lane whose shard the block's key was taken from: only tasks of stages on it are
   *     claimed ({@code null}: any)
   */
  record Claim(Claimant claimant, int max, long deadlineMillis, @Nullable Lane lane)
      implements Move {
    Claim(Claimant claimant, int max, long deadlineMillis) {
      this(claimant, max, deadlineMillis, null);
    }
  }

  record Renew(String memberUuid, long deadlineMillis) implements Move {}

  /**
   * @param next the tasks of the next stage made from those of {@code results} that are of a
   *     pipeline's stage before its last
   */
  record Record(List<TaskResult> results, List<TaskChunk> next) implements Move {
    Record {
      results = List.copyOf(results);
      next = List.copyOf(next);
    }

    Record(List<TaskResult> results) {
      this(results, List.of());
    }
  }

  record Settle(List<Long> seqs) implements Move {
    Settle {
      seqs = List.copyOf(seqs);
    }
  }

  /**
   * Settles whichever of {@code seqs} are in the block, then reads up to {@code max} recorded
   * results.
   */
  record SettleThenPending(List<Long> seqs, int max) implements Move {
    SettleThenPending {
      seqs = List.copyOf(seqs);
    }
  }

  record Release(String memberUuid, List<Long> seqs) implements Move {
    Release {
      seqs = List.copyOf(seqs);
    }
  }

  record PutBack(Loss loss, long nowMillis) implements Move {}

  /** Reads the block's tally; changes nothing. */
  record Probe() implements Move {}

  /** Reads what is left of its consumed tasks; changes nothing. */
  record Delivered() implements Move {}

  /** Entries of the blocks map skipped because they were not Crew's (a foreign key or value). */
  static final java.util.concurrent.atomic.LongAdder FOREIGN =
      new java.util.concurrent.atomic.LongAdder();

  @Override
  public @Nullable BlockOutcome process(Map.Entry<BlockKey, TaskBlock> entry) {
    // Anyone can put anything in the map: an entry that is not a block is skipped, so one planted
    // entry never stops a move over every block (a put back, the audit).
    Object key = entry.getKey();
    Object value = entry.getValue();
    if (!(key instanceof BlockKey) || (value != null && !(value instanceof TaskBlock))) {
      FOREIGN.increment();
      return null;
    }
    TaskBlock block = entry.getValue();
    if (block == null) {
      if (move instanceof Add add) {
        if (add.tasks().isEmpty() || add.tasks().getFirst().seq() != add.firstSeq()) {
          // Only a block's first tasks start it: later ones whose block is gone belong to a job
          // that was forgotten (cancelled) while its submitter was still storing.
          return BlockOutcome.NOTHING;
        }
        block =
            TaskBlock.empty(entry.getKey().jobId(), add.lane(), add.firstSeq(), add.laterLanes());
      } else if (move instanceof Record(List<TaskResult> results, List<TaskChunk> next)) {
        // The job is forgotten: every result is too late to count. "Drained" says the block is
        // gone, so its ids are reported as forgotten, not as duplicates.
        return new BlockOutcome(
            0,
            0,
            false,
            true,
            List.of(),
            List.of(),
            results.stream().map(TaskResult::taskId).toList(),
            JobTally.EMPTY);
      } else {
        return move instanceof PutBack ? null : BlockOutcome.NOTHING; // forgotten, or never stored
      }
    }
    BlockOutcome outcome;
    TaskBlock after;
    switch (move) {
      case Add add -> {
        TaskBlock.Step<Boolean> step = block.add(add.tasks());
        after = step.block();
        outcome = BlockOutcome.counted(after.slots().size(), after.queued(), step.outcome());
      }
      case Claim claim -> {
        TaskBlock.Step<List<TaskChunk>> step =
            block.claim(claim.claimant(), claim.max(), claim.deadlineMillis(), claim.lane());
        after = step.block();
        outcome =
            new BlockOutcome(
                step.outcome().size(),
                claim.lane() == null ? after.queued() : after.queuedFor(claim.lane()),
                false,
                false,
                step.outcome(),
                List.of(),
                List.of(),
                JobTally.EMPTY);
      }
      case Renew renew -> {
        TaskBlock.Step<Integer> step = block.renew(renew.memberUuid(), renew.deadlineMillis());
        after = step.block();
        outcome = BlockOutcome.counted(step.outcome(), after.queued(), false);
      }
      case Record record -> {
        TaskBlock.Step<RecordOutcome> step = block.record(record.results(), record.next());
        after = step.block();
        outcome =
            new BlockOutcome(
                    step.outcome().recorded(),
                    after.queued(),
                    false,
                    false,
                    List.of(),
                    List.of(),
                    step.outcome().duplicates(),
                    JobTally.EMPTY)
                .withLanes(newlyQueued(block, after));
      }
      case Settle settle -> {
        TaskBlock.Step<Integer> step = block.settle(settle.seqs());
        after = step.block();
        outcome =
            new BlockOutcome(
                step.outcome(),
                after.queued(),
                false,
                after.consumed(),
                List.of(),
                List.of(),
                List.of(),
                after.counts());
      }
      case SettleThenPending read -> {
        TaskBlock.Step<Integer> step = block.settle(read.seqs());
        after = step.block();
        outcome =
            new BlockOutcome(
                step.outcome(),
                after.queued(),
                false,
                after.consumed(),
                List.of(),
                after.pending(read.max()),
                List.of(),
                after.counts());
      }
      case Release release -> {
        TaskBlock.Step<Integer> step = block.release(release.memberUuid(), release.seqs());
        after = step.block();
        outcome =
            BlockOutcome.counted(step.outcome(), after.queued(), step.changed())
                .withLanes(after.queuedLanes());
      }
      case PutBack putBack -> {
        TaskBlock.Step<List<String>> step = block.putBack(putBack.loss(), putBack.nowMillis());
        after = step.block();
        if (!step.changed()) {
          return null; // most blocks, in a put back over the whole map: nothing to send back
        }
        outcome =
            new BlockOutcome(
                    step.outcome().size(),
                    after.queued(),
                    true,
                    false,
                    List.of(),
                    List.of(),
                    List.of(),
                    JobTally.EMPTY,
                    step.outcome())
                .withLanes(after.queuedLanes());
      }
      case Delivered delivered -> {
        return new BlockOutcome(
            0,
            block.queued(),
            false,
            false,
            List.of(),
            block.delivered(),
            List.of(),
            JobTally.EMPTY);
      }
      case Probe probe -> {
        return new BlockOutcome(
                block.slots().size(),
                block.queued(),
                false,
                block.consumed(),
                List.of(),
                List.of(),
                List.of(),
                block.tally())
            .withLanes(block.queuedLanes());
      }
    }
    if (after != block || entry.getValue() == null) {
      entry.setValue(after);
    }
    return outcome;
  }

  /** The lanes on which {@code after} has queued tasks and {@code before} had none. */
  private static List<Lane> newlyQueued(TaskBlock before, TaskBlock after) {
    if (after == before || after.stages() == 1) {
      return List.of(); // a job of one stage queues nothing by recording
    }
    List<Lane> lanes = new java.util.ArrayList<>(after.queuedLanes());
    lanes.removeAll(before.queuedLanes());
    return lanes;
  }

  @Override
  public @Nullable EntryProcessor<BlockKey, TaskBlock, BlockOutcome> getBackupProcessor() {
    if (move instanceof SettleThenPending(List<Long> seqs, int max)) {
      return seqs.isEmpty() ? null : new BlockOp(new Settle(seqs)); // backups need no reading
    }
    return move instanceof Probe || move instanceof Delivered ? null : this;
  }
}
