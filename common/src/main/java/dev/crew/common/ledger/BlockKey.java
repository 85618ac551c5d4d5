package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

import com.hazelcast.partition.PartitionAware;

/**
 * The key of one block of a job's tasks. Its partition is its lane shard's: the block's entry and
 * the shard queues that carry its key live on the same partition, so a worker that takes a key from
 * a shard its member owns claims the block without a network hop.
 */
record BlockKey(String jobId, long index, int shard) implements PartitionAware<String> {
  BlockKey {
    requireNonNull(jobId, "jobId");
    if (index < 0 || shard < 0) {
      throw new IllegalArgumentException("index and shard must not be negative");
    }
  }

  /** The partition key shared by a shard's queues and its blocks. */
  static String shardKey(int shard) {
    return "crew.shard." + shard;
  }

  @Override
  public String getPartitionKey() {
    return shardKey(shard);
  }
}
