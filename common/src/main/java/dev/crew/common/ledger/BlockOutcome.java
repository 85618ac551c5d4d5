package dev.crew.common.ledger;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.util.List;

/**
 * What one move on a block returns across the wire: the fields its kind of move fills, the others
 * empty.
 *
 * @param count tasks added, renewed, recorded or put back
 * @param queuedLeft queued tasks left in the block after the move
 * @param offer whether the caller must offer the block's key to a lane shard
 * @param drained every slot of a full block consumed: nothing more will come out of it
 * @param holders the worker of each claim a put back queued again
 * @param lanes the lanes whose shards the caller offers the block's key to: after a record, those
 *     on which it queued a pipeline's next stage where none was queued; after a put back, a release
 *     or a probe, every lane with queued tasks in the block
 */
record BlockOutcome(
    int count,
    int queuedLeft,
    boolean offer,
    boolean drained,
    List<TaskChunk> tasks,
    List<TaskResult> results,
    List<String> duplicates,
    JobTally tally,
    List<String> holders,
    List<Lane> lanes) {

  BlockOutcome {
    tasks = List.copyOf(tasks);
    results = List.copyOf(results);
    duplicates = List.copyOf(duplicates);
    holders = List.copyOf(holders);
    lanes = List.copyOf(lanes);
  }

  BlockOutcome(
      int count,
      int queuedLeft,
      boolean offer,
      boolean drained,
      List<TaskChunk> tasks,
      List<TaskResult> results,
      List<String> duplicates,
      JobTally tally,
      List<String> holders) {
    this(count, queuedLeft, offer, drained, tasks, results, duplicates, tally, holders, List.of());
  }

  BlockOutcome withLanes(List<Lane> newLanes) {
    return new BlockOutcome(
        count, queuedLeft, offer, drained, tasks, results, duplicates, tally, holders, newLanes);
  }

  BlockOutcome(
      int count,
      int queuedLeft,
      boolean offer,
      boolean drained,
      List<TaskChunk> tasks,
      List<TaskResult> results,
      List<String> duplicates,
      JobTally tally) {
    this(count, queuedLeft, offer, drained, tasks, results, duplicates, tally, List.of());
  }

  static final BlockOutcome NOTHING =
      new BlockOutcome(0, 0, false, false, List.of(), List.of(), List.of(), JobTally.EMPTY);

  static BlockOutcome counted(int count, int queuedLeft, boolean offer) {
    return new BlockOutcome(
        count, queuedLeft, offer, false, List.of(), List.of(), List.of(), JobTally.EMPTY);
  }
}
