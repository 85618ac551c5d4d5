package dev.crew.common;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import java.util.concurrent.atomic.LongAdder;

/**
 * How the results map heals after a split brain: when a member cut off from the others (and so
 * running tasks the others had taken back) merges into the larger cluster, a result it recorded for
 * a task that already has one is dropped, like any late duplicate, and counted; a result only it
 * recorded is kept. Execution is at-least-once, recording stays exactly-once.
 *
 * <p>Merge policies travel between members inside merge operations, so this one is
 * identified-serializable through Crew's own small factory, not Java-serialized.
 */
public final class FirstResultMergePolicy
    implements SplitBrainMergePolicy<TaskResult, MergingValue<TaskResult>, Object>,
        IdentifiedDataSerializable {
  public static final int FACTORY_ID = 0x63_72_65; // "cre"
  public static final int CLASS_ID = 1;

  private static final LongAdder DROPPED = new LongAdder();

  /** Duplicate results dropped by merges into this member since it started. */
  public static long dropped() {
    return DROPPED.sum();
  }

  /** Lets members send and receive this policy. */
  static void register(SerializationConfig serialization) {
    serialization.addDataSerializableFactory(
        FACTORY_ID,
        classId ->
            switch (classId) {
              case CLASS_ID -> new FirstResultMergePolicy();
              case dev.crew.common.ledger.BlockMergePolicy.CLASS_ID ->
                  new dev.crew.common.ledger.BlockMergePolicy();
              default -> null;
            });
  }

  @Override
  public Object merge(MergingValue<TaskResult> merging, MergingValue<TaskResult> existing) {
    if (existing == null) {
      return merging.getRawValue();
    }
    TaskResult theirs = merging.getDeserializedValue();
    TaskResult ours = existing.getDeserializedValue();
    // The same recording on both sides (a copy from before the split, perhaps since consumed) is no
    // duplicate.
    if (theirs != null
        && ours != null
        && (!theirs.worker().equals(ours.worker())
            || theirs.elapsedNanos() != ours.elapsedNanos())) {
      DROPPED.increment();
    }
    return existing.getRawValue();
  }

  @Override
  public int getFactoryId() {
    return FACTORY_ID;
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
