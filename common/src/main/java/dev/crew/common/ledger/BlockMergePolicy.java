package dev.crew.common.ledger;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import dev.crew.common.FirstResultMergePolicy;
import dev.crew.common.ledger.TaskState.Consumed;
import dev.crew.common.ledger.TaskState.Recorded;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * How a block heals after a split brain, slot by slot: a task recorded (or consumed) on either side
 * keeps that result, the larger cluster's first; a result the split-off side recorded for a task
 * the larger side had recorded too is a late duplicate, dropped and counted; a task recorded on
 * neither side keeps the larger side's state (queued, or claimed by one of its members). Tasks only
 * one side had stored are kept. Execution is at least once, recording stays exactly once.
 *
 * <p>Merge policies travel between members inside merge operations, so this one is
 * identified-serializable (through {@link FirstResultMergePolicy}'s factory), not Java-serialized.
 */
public final class BlockMergePolicy
    implements SplitBrainMergePolicy<TaskBlock, MergingValue<TaskBlock>, Object>,
        IdentifiedDataSerializable {
  public static final int CLASS_ID = 2;

  private static final LongAdder DROPPED = new LongAdder();

  /** Duplicate results dropped by merges into this member since it started. */
  public static long dropped() {
    return DROPPED.sum();
  }

  @Override
  public @Nullable Object merge(
      MergingValue<TaskBlock> merging, @Nullable MergingValue<TaskBlock> existing) {
    if (existing == null) {
      return merging.getRawValue();
    }
    TaskBlock theirs = merging.getDeserializedValue();
    TaskBlock ours = existing.getDeserializedValue();
    if (theirs == null || ours == null || theirs.firstSeq() != ours.firstSeq()) {
      return existing.getRawValue();
    }
    List<TaskState> slots = new ArrayList<>(ours.slots());
    boolean changed = false;
    for (int i = 0; i < theirs.slots().size(); i++) {
      TaskState their = theirs.slots().get(i);
      if (i >= slots.size()) {
        slots.add(their);
        changed = true;
        continue;
      }
      TaskState our = slots.get(i);
      boolean theirsDone = their instanceof Recorded || their instanceof Consumed;
      boolean oursDone = our instanceof Recorded || our instanceof Consumed;
      if (theirsDone && !oursDone || !theirsDone && !oursDone && stageOf(their) > stageOf(our)) {
        // Done beats not done; of two not done, the one a pipeline moved further on wins: the
        // stage it passed was recorded on that side.
        slots.set(i, their);
        changed = true;
      } else if (theirsDone && !sameRecording(their, our)) {
        DROPPED.increment();
      }
    }
    return changed
        ? new TaskBlock(ours.jobId(), ours.lane(), ours.firstSeq(), slots, ours.laterLanes())
        : ours;
  }

  /** The pipeline stage a queued or claimed task stands at. */
  private static int stageOf(TaskState state) {
    return switch (state) {
      case TaskState.Queued(var task) -> task.stage();
      case TaskState.Claimed claimed -> claimed.task().stage();
      default -> 0;
    };
  }

  /**
   * The same recording on both sides (a copy from before the split, perhaps consumed since on one
   * of them) is no duplicate.
   */
  private static boolean sameRecording(TaskState a, TaskState b) {
    return recording(a) == recording(b);
  }

  private static int recording(TaskState state) {
    return switch (state) {
      case Recorded(var result) -> Consumed.fingerprint(result);
      case Consumed consumed -> consumed.recording();
      default -> 0;
    };
  }

  @Override
  public int getFactoryId() {
    return FirstResultMergePolicy.FACTORY_ID;
  }

  @Override
  public int getClassId() {
    return CLASS_ID;
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
