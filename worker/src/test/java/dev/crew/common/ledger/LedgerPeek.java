package dev.crew.common.ledger;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.ledger.TaskState.Claimed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What worker tests see of the ledger beyond its interface: which block keys the lane shards carry
 * (to lose or repeat one, as a dead claimer or a redone offer does), and who holds claims. It sits
 * in the ledger's package, in the worker's test sources only, to reach the package's own types.
 */
public final class LedgerPeek {
  private static final String FILLER = "crew.test.filler";

  private LedgerPeek() {}

  /**
   * Takes the key of the block holding {@code task} out of every shard of {@code lane}, as a
   * claimer that died between its poll and its claim leaves it.
   *
   * @return how many copies were there
   */
  public static int loseKey(HazelcastInstance hazelcast, Lane lane, TaskChunk task) {
    BlockKey key = keyOf(task);
    int lost = 0;
    for (IQueue<BlockKey> shard : shards(hazelcast, lane)) {
      while (shard.remove(key)) {
        lost++;
      }
    }
    return lost;
  }

  /** Offers the key of the block holding {@code task} to its shard once more. */
  public static boolean offerKeyAgain(HazelcastInstance hazelcast, Lane lane, TaskChunk task) {
    BlockKey key = keyOf(task);
    return shards(hazelcast, lane).get(key.shard()).offer(key);
  }

  /** How many keys of job {@code jobId}'s blocks the shards of {@code lane} carry now. */
  public static int keysOf(HazelcastInstance hazelcast, Lane lane, String jobId) {
    int keys = 0;
    for (IQueue<BlockKey> shard : shards(hazelcast, lane)) {
      for (BlockKey key : shard) {
        if (key.jobId().equals(jobId)) {
          keys++;
        }
      }
    }
    return keys;
  }

  /**
   * Fills every shard of {@code lane} up to its capacity with keys of blocks that do not exist.
   *
   * @return how many keys it added
   */
  public static int fillShards(HazelcastInstance hazelcast, Lane lane) {
    int added = 0;
    List<IQueue<BlockKey>> shards = shards(hazelcast, lane);
    for (int shard = 0; shard < shards.size(); shard++) {
      IQueue<BlockKey> queue = shards.get(shard);
      List<BlockKey> fillers = new ArrayList<>();
      for (int i = queue.size(); i < LedgerSetup.SHARD_CAPACITY; i++) {
        fillers.add(new BlockKey(FILLER, i, shard));
      }
      if (!fillers.isEmpty() && !queue.addAll(fillers)) {
        throw new IllegalStateException("shard " + shard + " took none of its fillers");
      }
      added += fillers.size();
      if (queue.remainingCapacity() != 0) {
        throw new IllegalStateException("shard " + shard + " is not full");
      }
    }
    return added;
  }

  /** Takes every key {@link #fillShards} added out of the shards of {@code lane}. */
  public static void emptyFillers(HazelcastInstance hazelcast, Lane lane) {
    List<IQueue<BlockKey>> shards = shards(hazelcast, lane);
    for (int shard = 0; shard < shards.size(); shard++) {
      List<BlockKey> fillers = new ArrayList<>();
      for (int i = 0; i < LedgerSetup.SHARD_CAPACITY; i++) {
        fillers.add(new BlockKey(FILLER, i, shard));
      }
      shards.get(shard).removeAll(fillers);
    }
  }

  private static BlockKey keyOf(TaskChunk task) {
    return LedgerLayout.DEFAULT.keyOf(task.jobId(), task.seq());
  }

  private static List<IQueue<BlockKey>> shards(HazelcastInstance hazelcast, Lane lane) {
    List<IQueue<BlockKey>> shards = new ArrayList<>();
    for (int shard = 0; shard < LedgerLayout.DEFAULT.shards(); shard++) {
      shards.add(hazelcast.getQueue(LedgerSetup.shardName(lane, shard)));
    }
    return shards;
  }

  /**
   * Follows every block's claims through the block map's events: how many claims each worker holds
   * at once, the most it held, and when it first claimed (its own clock: a claim's deadline less
   * the claim timeout). Events of different partitions arrive in any order, so a claim that has
   * just ended in one block may still count while the next is claimed in another.
   */
  public static final class ClaimWatch
      implements EntryAddedListener<BlockKey, TaskBlock>,
          EntryUpdatedListener<BlockKey, TaskBlock>,
          EntryRemovedListener<BlockKey, TaskBlock> {
    private final long claimTimeoutMillis;
    private final Map<BlockKey, Map<String, Integer>> heldByBlock = new HashMap<>();
    private final Map<String, Integer> mostHeld = new HashMap<>();
    private final Map<String, Long> firstClaimMillis = new HashMap<>();

    private ClaimWatch(Duration claimTimeout) {
      this.claimTimeoutMillis = claimTimeout.toMillis();
    }

    /** Watches the blocks from {@code hazelcast}, whose claims last {@code claimTimeout}. */
    public static ClaimWatch start(HazelcastInstance hazelcast, Duration claimTimeout) {
      ClaimWatch watch = new ClaimWatch(claimTimeout);
      IMap<BlockKey, TaskBlock> blocks = hazelcast.getMap(LedgerSetup.BLOCKS);
      blocks.addEntryListener(watch, /* includeValue= */ true);
      return watch;
    }

    /** The most claims each worker held at once, by worker name. */
    public synchronized Map<String, Integer> mostHeld() {
      return Map.copyOf(mostHeld);
    }

    /** When each worker made its first claim, in its own wall-clock millis. */
    public synchronized Map<String, Long> firstClaimMillis() {
      return Map.copyOf(firstClaimMillis);
    }

    @Override
    public void entryAdded(EntryEvent<BlockKey, TaskBlock> event) {
      seen(event.getKey(), event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<BlockKey, TaskBlock> event) {
      seen(event.getKey(), event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<BlockKey, TaskBlock> event) {
      seen(event.getKey(), null);
    }

    private synchronized void seen(BlockKey key, @Nullable TaskBlock block) {
      Map<String, Integer> held = new HashMap<>();
      if (block != null) {
        for (TaskState state : block.slots()) {
          if (state instanceof Claimed claim) {
            held.merge(claim.worker(), 1, Integer::sum);
            firstClaimMillis.merge(
                claim.worker(), claim.deadlineMillis() - claimTimeoutMillis, Math::min);
          }
        }
      }
      heldByBlock.put(key, held);
      Map<String, Integer> total = new HashMap<>();
      for (Map<String, Integer> inBlock : heldByBlock.values()) {
        inBlock.forEach((worker, n) -> total.merge(worker, n, Integer::sum));
      }
      total.forEach((worker, n) -> mostHeld.merge(worker, n, Math::max));
    }
  }
}
