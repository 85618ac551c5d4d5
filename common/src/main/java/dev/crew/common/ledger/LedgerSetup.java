package dev.crew.common.ledger;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.QueueConfig;
import dev.crew.common.Lane;
import java.time.Duration;

/**
 * What a member's and a client's Hazelcast configs need for {@link HazelcastTaskLedger}, on top of
 * {@code ClusterConfigs}: the block map, the lane shards and the serializers.
 */
public final class LedgerSetup {
  static final String BLOCKS = "crew.ledger.blocks";
  static final String QUEUE_PREFIX = "crew.ledger.";

  /**
   * Block keys one lane shard holds before a storer waits: with the default layout, 16 shards of
   * 256 blocks of 64 tasks each.
   */
  static final int SHARD_CAPACITY = 256;

  /** Wake-ups waiting for idle claimers: one per store or put back, a few are plenty. */
  static final int BELL_CAPACITY = 64;

  private LedgerSetup() {}

  /** Adds the ledger's structures and serializers to a member's config. */
  public static Config member(Config config, int backups) {
    // Blocks are moved by entry processors: kept as objects, a move reads and replaces the block
    // without deserializing and serializing it on every call.
    config.addMapConfig(
        new MapConfig(BLOCKS)
            .setBackupCount(backups)
            .setInMemoryFormat(InMemoryFormat.OBJECT)
            .setMergePolicyConfig(new MergePolicyConfig(BlockMergePolicy.class.getName(), 100))
            // A job nobody collects is forgotten a day after its blocks last changed.
            .setTimeToLiveSeconds((int) Duration.ofDays(1).toSeconds()));
    config.addQueueConfig(
        new QueueConfig(QUEUE_PREFIX + "*").setMaxSize(SHARD_CAPACITY).setBackupCount(backups));
    for (Lane lane : Lane.values()) {
      config.addQueueConfig(
          new QueueConfig(bellName(lane)).setMaxSize(BELL_CAPACITY).setBackupCount(0));
    }
    LedgerCodecs.register(config.getSerializationConfig().getCompactSerializationConfig());
    return config;
  }

  /** Adds the ledger's serializers to a client's config. */
  public static ClientConfig client(ClientConfig config) {
    LedgerCodecs.register(config.getSerializationConfig().getCompactSerializationConfig());
    return config;
  }

  /** The shard queue {@code shard} of {@code lane}, on the partition of that shard's blocks. */
  static String shardName(Lane lane, int shard) {
    return QUEUE_PREFIX + lane.id() + "." + shard + "@" + BlockKey.shardKey(shard);
  }

  /** The queue of {@code lane}'s blocks with tasks put back, which claimers look at first. */
  static String returnsName(Lane lane) {
    return QUEUE_PREFIX + "returns." + lane.id();
  }

  static String bellName(Lane lane) {
    return QUEUE_PREFIX + "bell." + lane.id();
  }
}
