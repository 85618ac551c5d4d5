package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

import com.hazelcast.cluster.Endpoint;
import com.hazelcast.cluster.Member;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import dev.crew.common.ClusterValues;
import dev.crew.common.Lane;
import dev.crew.common.Redo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which blocks have queued tasks, per lane: bounded queues of block keys, several per lane, each on
 * the partition of the blocks whose keys it carries, and a bell per lane that wakes idle claimers.
 */
final class LaneShards {
  private static final Logger log = LoggerFactory.getLogger(LaneShards.class);

  private final HazelcastInstance hazelcast;
  private final int count;
  private final Map<Lane, List<IQueue<BlockKey>>> shards = new EnumMap<>(Lane.class);
  private final Map<Lane, IQueue<String>> bells = new EnumMap<>(Lane.class);
  private final AtomicInteger rotation = new AtomicInteger();

  /**
   * Per lane, the keys of blocks whose claims were put back (a lost worker's tasks): claimers look
   * there before the shards. Those tasks are the oldest of their jobs, and a job ends only when
   * they are done; offered only to their shards, they waited behind every block queued since, in a
   * busy cluster the rest of the job. Their keys go to their shards too, so a key lost here (the
   * queue full, a claimer killed after its poll) costs only the head start.
   */
  private final Map<Lane, IQueue<BlockKey>> returns = new EnumMap<>(Lane.class);

  /**
   * Per lane, when this instance next looks for put-back keys: at once after a put back here, or
   * while the last look found one; otherwise every {@link #RETURNS_LOOK}, so that a put back by
   * another member is seen that soon, at the cost of one poll per lane per interval, not per claim.
   */
  private final AtomicLongArray nextReturnsLook = new AtomicLongArray(Lane.values().length);

  private static final Duration RETURNS_LOOK = Duration.ofMillis(100);

  private static final Duration OWNERS_FRESH = Duration.ofMillis(500);
  private volatile @Nullable Owners owners;

  /**
   * Per claiming thread and lane, the shard to look at first: the one after where it last found
   * work. Claims so take turns among the shards with work, and so among jobs: a job's consecutive
   * blocks are in consecutive shards, and a block partly claimed goes to the back of its shard's
   * queue. Keeping to the shard where work was last found instead let one job's blocks be claimed
   * until they ran out while another job's, in other shards, waited. Threads start on different
   * shards, so claimers spread.
   */
  private final ThreadLocal<int[]> firstShard =
      ThreadLocal.withInitial(
          () -> {
            int[] first = new int[Lane.values().length];
            Arrays.fill(first, rotation.getAndIncrement());
            return first;
          });

  LaneShards(HazelcastInstance hazelcast, int count) {
    this.hazelcast = hazelcast;
    this.count = count;
    for (Lane lane : Lane.values()) {
      List<IQueue<BlockKey>> queues = new ArrayList<>(count);
      for (int shard = 0; shard < count; shard++) {
        queues.add(hazelcast.getQueue(LedgerSetup.shardName(lane, shard)));
      }
      shards.put(lane, List.copyOf(queues));
      bells.put(lane, hazelcast.getQueue(LedgerSetup.bellName(lane)));
      returns.put(lane, hazelcast.getQueue(LedgerSetup.returnsName(lane)));
    }
  }

  /** Offers a block's key to its own shard, waiting while that is full: a storer's backpressure. */
  void put(Lane lane, BlockKey key) throws InterruptedException {
    try {
      shard(lane, key.shard()).put(key);
    } catch (RuntimeException e) {
      // Perhaps offered on the shard's owner only: offer it again (a key offered twice is
      // harmless, its block's tasks are claimed once), or leave it to the audit.
      Redo.after(
          e,
          () -> {
            offerBack(lane, key);
            return key;
          });
    }
  }

  /**
   * Offers a block's key back to its shard, or to any shard of its lane with room (the block stays
   * where it is; only its key travels), or leaves it to the audit.
   */
  void offerBack(Lane lane, BlockKey key) {
    if (shard(lane, key.shard()).offer(key)) {
      return;
    }
    for (IQueue<BlockKey> other : shardsOf(lane)) {
      if (other.offer(key)) {
        return;
      }
    }
    log.warn(
        "every {} shard is full: block {} of job {} waits for the audit",
        lane.id(),
        key.index(),
        key.jobId());
  }

  /**
   * Offers the key of a block with tasks put back to {@code lane}'s put-back queue, ahead of the
   * shards; {@link #offerBack} must offer it to its shard as well. A full queue or a failed offer
   * leaves it to the shard alone.
   */
  void offerReturned(Lane lane, BlockKey key) {
    try {
      if (returnsOf(lane).offer(key)) {
        nextReturnsLook.set(lane.ordinal(), System.nanoTime());
      }
    } catch (RuntimeException e) {
      if (!Redo.worthRedoing(e)) {
        throw e;
      }
    }
  }

  /**
   * A key from {@code lane}'s put-back queue, or none: looked for only when {@link
   * #nextReturnsLook} says so.
   */
  @Nullable BlockKey pollReturned(Lane lane) {
    int i = lane.ordinal();
    long now = System.nanoTime();
    if (now - nextReturnsLook.get(i) < 0) {
      return null;
    }
    // Set before the poll, so that the other claiming threads do not all poll at once.
    nextReturnsLook.set(i, now + RETURNS_LOOK.toNanos());
    @Nullable BlockKey key = pollKey(returnsOf(lane));
    if (key != null) {
      nextReturnsLook.set(i, now); // there may be more
    }
    return key;
  }

  /**
   * The shards to poll, in order: those this instance's member owns first (its claims then run
   * without a network hop), then the others; each group from this thread's first shard on.
   */
  List<Integer> sweepOrder(Lane lane) {
    int start = Math.floorMod(firstShard.get()[lane.ordinal()], count);
    boolean[] owned = ownedHere();
    List<Integer> local = new ArrayList<>(count);
    List<Integer> remote = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int shard = (start + i) % count;
      (owned[shard] ? local : remote).add(shard);
    }
    local.addAll(remote);
    return local;
  }

  /**
   * Which shards this instance's member owns, looked up at most once per {@link #OWNERS_FRESH}:
   * every claim sweeps the shards, and asking the partition table 16 times per claim cost more than
   * the claim. An answer a migration made stale only sends a claim on a longer way.
   */
  private boolean[] ownedHere() {
    long now = System.nanoTime();
    Owners known = owners;
    if (known != null && now - known.atNanos() < OWNERS_FRESH.toNanos()) {
      return known.owned();
    }
    boolean[] owned = new boolean[count];
    @Nullable Member self = localMember();
    for (int shard = 0; shard < count; shard++) {
      owned[shard] = self != null && self.equals(ownerOf(shard));
    }
    owners = new Owners(owned, now);
    return owned;
  }

  private record Owners(boolean[] owned, long atNanos) {}

  /**
   * Takes a key from {@code shard}, or none; the calling thread looks at the next shard first next
   * time it finds one. An element that is not a block key (put there by someone else) is taken out,
   * counted and skipped.
   */
  @Nullable BlockKey poll(Lane lane, int shard) {
    @Nullable BlockKey key = pollKey(shard(lane, shard));
    if (key != null) {
      firstShard.get()[lane.ordinal()] = shard + 1;
    }
    return key;
  }

  private static @Nullable BlockKey pollKey(IQueue<?> queue) {
    for (int foreign = 0; ; foreign++) {
      Object element = queue.poll();
      if (element == null || element instanceof BlockKey) {
        return (BlockKey) element;
      }
      FOREIGN.increment();
      if (foreign == 0) {
        log.warn(
            "skipped an element of {} that is not a block key ({}): not put there by Crew",
            queue.getName(),
            element.getClass().getSimpleName());
      }
    }
  }

  /** Elements skipped in lane shards because they were not block keys. */
  static final java.util.concurrent.atomic.LongAdder FOREIGN =
      new java.util.concurrent.atomic.LongAdder();

  /** Waits up to {@code millis} for a storer or a put back to ring {@code lane}'s bell. */
  void awaitBell(Lane lane, long millis) throws InterruptedException {
    bell(lane).poll(millis, TimeUnit.MILLISECONDS);
  }

  /** Wakes an idle claimer of {@code lane}; a full bell has enough wake-ups already. */
  void ring(Lane lane) {
    try {
      bell(lane).offer(lane.id());
    } catch (RuntimeException e) {
      if (!Redo.worthRedoing(e)) {
        throw e;
      }
      // A ring that may be lost only delays a claimer until its next sweep.
    }
  }

  /** Every key in every shard now (copies: for the audit). */
  Set<BlockKey> keys() {
    Set<BlockKey> keys = new HashSet<>();
    for (Lane lane : Lane.values()) {
      keys.addAll(keys(lane));
    }
    return keys;
  }

  /**
   * Every key in the shards of {@code lane} now (copies). An element that is not a block key (put
   * there by someone else) is left out: it is taken out when a claim polls it. (Copied as they
   * were, such an element failed the audit's loop over the keys with a ClassCastException, and so
   * every audit until a claim had taken it.)
   */
  Set<BlockKey> keys(Lane lane) {
    Set<BlockKey> keys = new HashSet<>();
    for (IQueue<BlockKey> queue : shardsOf(lane)) {
      keys.addAll(ClusterValues.ofType(BlockKey.class, queue));
    }
    return keys;
  }

  private @Nullable Member localMember() {
    Endpoint self = hazelcast.getLocalEndpoint();
    return self instanceof Member member ? member : null;
  }

  private @Nullable Member ownerOf(int shard) {
    Partition partition = hazelcast.getPartitionService().getPartition(BlockKey.shardKey(shard));
    return partition.getOwner();
  }

  private IQueue<BlockKey> shard(Lane lane, int shard) {
    return shardsOf(lane).get(shard);
  }

  private List<IQueue<BlockKey>> shardsOf(Lane lane) {
    return requireNonNull(shards.get(lane), "lane");
  }

  private IQueue<String> bell(Lane lane) {
    return requireNonNull(bells.get(lane), "lane");
  }

  private IQueue<BlockKey> returnsOf(Lane lane) {
    return requireNonNull(returns.get(lane), "lane");
  }
}
