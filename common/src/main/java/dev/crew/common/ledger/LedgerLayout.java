package dev.crew.common.ledger;

import dev.crew.common.Names;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * How tasks are laid out in the ledger: how many consecutive tasks of a job share one block (one
 * map entry, claimed and recorded by one entry processor call), and over how many lane shards the
 * blocks are spread. Every member and client of a cluster must use the same layout, as they use the
 * same cluster config: a task's block key is computed from its job id and sequence.
 *
 * @param blockSize tasks per block: large enough that a block of no-op tasks is one claim and one
 *     record, small enough that a block entry stays a few kilobytes
 * @param shards lane queues per lane; more than the members of a cluster, so each member owns some
 */
public record LedgerLayout(int blockSize, int shards) {
  public static final LedgerLayout DEFAULT = new LedgerLayout(64, 16);

  public LedgerLayout {
    if (blockSize < 1 || blockSize > 4_096) {
      throw new IllegalArgumentException("blockSize " + blockSize + " is outside 1..4096");
    }
    if (shards < 1 || shards > 1_024) {
      throw new IllegalArgumentException("shards " + shards + " is outside 1..1024");
    }
  }

  /** The block that holds task {@code seq} of job {@code jobId}. */
  BlockKey keyOf(String jobId, long seq) {
    long index = seq / blockSize;
    // Consecutive blocks of a job go to consecutive shards, so one job spreads over all of them.
    int shard = (int) Math.floorMod((long) jobId.hashCode() + index, (long) shards);
    return new BlockKey(jobId, index, shard);
  }

  long firstSeqOf(BlockKey key) {
    return key.index() * blockSize;
  }

  /**
   * {@code items} grouped by the block that holds each (task {@code seqOf} of job {@code jobOf}),
   * the blocks in the order first met: one move per block.
   */
  <T> Map<BlockKey, List<T>> byBlock(
      Collection<T> items, Function<T, String> jobOf, ToLongFunction<T> seqOf) {
    Map<BlockKey, List<T>> blocks = new LinkedHashMap<>();
    for (T item : items) {
      blocks
          .computeIfAbsent(
              keyOf(jobOf.apply(item), seqOf.applyAsLong(item)), k -> new ArrayList<>())
          .add(item);
    }
    return blocks;
  }

  /** The sequences of {@code items}, grouped by block as {@link #byBlock} groups them. */
  <T> Map<BlockKey, List<Long>> seqsByBlock(
      Collection<T> items, Function<T, String> jobOf, ToLongFunction<T> seqOf) {
    Map<BlockKey, List<Long>> seqs = new LinkedHashMap<>();
    byBlock(items, jobOf, seqOf)
        .forEach(
            (key, inBlock) -> seqs.put(key, inBlock.stream().map(seqOf::applyAsLong).toList()));
    return seqs;
  }

  /** Names.taskId, for the duplicates a record reports. */
  static String taskId(String jobId, long seq) {
    return Names.taskId(jobId, seq);
  }
}
