package dev.crew.common.ledger;

import static dev.crew.common.ledger.TaskLedgerContract.ANN;
import static dev.crew.common.ledger.TaskLedgerContract.BOB;
import static dev.crew.common.ledger.TaskLedgerContract.resultOf;
import static dev.crew.common.ledger.TaskLedgerContract.tasks;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.spi.merge.MergingValue;
import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.ledger.TaskState.Claimed;
import dev.crew.common.ledger.TaskState.Consumed;
import dev.crew.common.ledger.TaskState.Queued;
import dev.crew.common.ledger.TaskState.Recorded;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockMergePolicyTest {
  private final BlockMergePolicy policy = new BlockMergePolicy();
  private final List<TaskChunk> four = tasks("job-a", 0, 4);

  @Test
  void merge_keepsEitherSidesResultAndTheLargerSidesClaims() {
    TaskBlock ours =
        block(
            new Recorded(resultOf(four.get(0), ANN)),
            new Claimed(four.get(1), BOB.worker(), BOB.memberUuid(), 9),
            new Queued(four.get(2)));
    TaskBlock theirs =
        block(
            new Recorded(resultOf(four.get(0), ANN)),
            new Recorded(resultOf(four.get(1), ANN)),
            new Claimed(four.get(2), ANN.worker(), ANN.memberUuid(), 9),
            new Queued(four.get(3)));
    long droppedBefore = BlockMergePolicy.dropped();

    TaskBlock merged = (TaskBlock) policy.merge(value(theirs), value(ours));

    assertThat(merged.slots())
        .containsExactly(
            ours.slots().get(0), theirs.slots().get(1), ours.slots().get(2), theirs.slots().get(3));
    assertThat(BlockMergePolicy.dropped()).isEqualTo(droppedBefore); // the same recording twice
  }

  @Test
  void merge_dropsAndCountsTheSplitOffSidesSecondResult() {
    // Slot 0: the same recording, consumed since on the larger side; slot 1: another run's result,
    // consumed there; slot 2: another run's result, recorded there.
    TaskBlock ours =
        block(
            Consumed.of(resultOf(four.get(0), ANN)),
            Consumed.of(resultOf(four.get(1), BOB)),
            new Recorded(resultOf(four.get(2), BOB)));
    TaskBlock theirs =
        block(
            new Recorded(resultOf(four.get(0), ANN)),
            new Recorded(resultOf(four.get(1), ANN)),
            new Recorded(resultOf(four.get(2), ANN)));
    long droppedBefore = BlockMergePolicy.dropped();

    TaskBlock merged = (TaskBlock) policy.merge(value(theirs), value(ours));

    assertThat(merged).isEqualTo(ours);
    assertThat(BlockMergePolicy.dropped() - droppedBefore).isEqualTo(2);
  }

  @Test
  void merge_takesTheirsWhenOnlyTheyHaveTheBlock() {
    TaskBlock theirs = block(new Queued(four.get(0)));
    assertThat(policy.merge(value(theirs), null)).isEqualTo(theirs);
  }

  private TaskBlock block(TaskState... slots) {
    return new TaskBlock("job-a", Lane.CPU, 0, List.of(slots));
  }

  private static MergingValue<TaskBlock> value(TaskBlock block) {
    return new MergingValue<>() {
      @Override
      public TaskBlock getRawValue() {
        return block;
      }

      @Override
      public TaskBlock getDeserializedValue() {
        return block;
      }
    };
  }
}
