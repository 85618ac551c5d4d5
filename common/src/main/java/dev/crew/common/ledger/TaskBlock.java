package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.TaskState.Claimed;
import dev.crew.common.ledger.TaskState.Consumed;
import dev.crew.common.ledger.TaskState.Queued;
import dev.crew.common.ledger.TaskState.Recorded;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Consecutive tasks of one job, each with its {@link TaskState}: the unit the ledger stores, and
 * the one place where the lifecycle's moves are made. Every move is a pure function from this block
 * (and its arguments, time included) to a new block and an outcome, so an entry processor can apply
 * it on the partition's owner and again, identically, on its backups; the in-memory ledger applies
 * the same moves under a lock.
 *
 * @param firstSeq the sequence of the task in slot 0; slot {@code i} holds task {@code firstSeq +
 *     i}
 */
record TaskBlock(
    String jobId, Lane lane, long firstSeq, List<TaskState> slots, List<Lane> laterLanes) {

  TaskBlock {
    requireNonNull(jobId, "jobId");
    requireNonNull(lane, "lane");
    slots = List.copyOf(slots);
    laterLanes = List.copyOf(laterLanes);
    if (firstSeq < 0) {
      throw new IllegalArgumentException("firstSeq must not be negative");
    }
  }

  /** A block of a job of one stage. */
  TaskBlock(String jobId, Lane lane, long firstSeq, List<TaskState> slots) {
    this(jobId, lane, firstSeq, slots, List.of());
  }

  /** How many stages the block's job has: 1, or more for a pipeline. */
  int stages() {
    return 1 + laterLanes.size();
  }

  /** The lane the tasks of stage {@code stage} run on. */
  Lane laneOf(int stage) {
    return stage <= 0 || stage > laterLanes.size() ? lane : laterLanes.get(stage - 1);
  }

  /** A move's result: the block after it, and what it returns to the caller. */
  record Step<T>(TaskBlock block, T outcome, boolean changed) {}

  static TaskBlock empty(String jobId, Lane lane, long firstSeq) {
    return new TaskBlock(jobId, lane, firstSeq, List.of());
  }

  /** An empty block of a pipeline whose later stages run on {@code laterLanes}. */
  static TaskBlock empty(String jobId, Lane lane, long firstSeq, List<Lane> laterLanes) {
    return new TaskBlock(jobId, lane, firstSeq, List.of(), laterLanes);
  }

  /**
   * Adds the tasks not in the block yet, queued. Tasks already there are left alone, so a store
   * that is redone (a client resending after a member died) changes nothing.
   *
   * @return whether the block had no queued task before and has some now: its key then has to be
   *     offered to a lane shard, as nobody else will
   */
  Step<Boolean> add(List<TaskChunk> tasks) {
    List<TaskState> next = new ArrayList<>(slots);
    for (TaskChunk task : tasks) {
      if (!task.jobId().equals(jobId)) {
        throw new IllegalArgumentException("task " + task.taskId() + " is not of job " + jobId);
      }
      long slot = task.seq() - firstSeq;
      if (slot < 0) {
        throw new IllegalArgumentException("task " + task.taskId() + " is before this block");
      }
      if (slot < next.size()) {
        continue;
      }
      if (slot > next.size()) {
        throw new IllegalArgumentException(
            "task " + task.taskId() + " leaves a gap: the block holds " + next.size() + " tasks");
      }
      next.add(new Queued(task));
    }
    if (next.size() == slots.size()) {
      return new Step<>(this, false, false);
    }
    return new Step<>(with(next), queued() == 0, true);
  }

  /**
   * Claims up to {@code max} queued tasks, in order, for {@code claimant} until {@code deadline}; a
   * task of a broadcast job only by its target's member.
   */
  Step<List<TaskChunk>> claim(Claimant claimant, int max, long deadlineMillis) {
    return claim(claimant, max, deadlineMillis, null);
  }

  /**
   * As above; in a pipeline's block, only tasks whose stage runs on {@code onLane} ({@code null}:
   * any), as a claimer takes from that lane. A job of one stage is claimed from whichever lane its
   * key was offered to: its record may have moved to another lane after its first tasks were stored
   * ({@code --lane auto}), and its tasks go with it.
   */
  Step<List<TaskChunk>> claim(
      Claimant claimant, int max, long deadlineMillis, @Nullable Lane onLane) {
    List<TaskState> next = new ArrayList<>(slots);
    List<TaskChunk> claimed = new ArrayList<>(Math.min(max, slots.size()));
    for (int i = 0; i < next.size() && claimed.size() < max; i++) {
      if (next.get(i) instanceof Queued(TaskChunk task)
          && (onLane == null || stages() == 1 || laneOf(task.stage()) == onLane)
          && (!task.targeted() || task.target().equals(claimant.memberUuid()))) {
        next.set(i, new Claimed(task, claimant.worker(), claimant.memberUuid(), deadlineMillis));
        claimed.add(task);
      }
    }
    return claimed.isEmpty()
        ? new Step<>(this, List.of(), false)
        : new Step<>(with(next), List.copyOf(claimed), true);
  }

  /**
   * Moves the deadline of every claim held on {@code memberUuid} to {@code deadlineMillis} (never
   * back).
   */
  Step<Integer> renew(String memberUuid, long deadlineMillis) {
    List<TaskState> next = new ArrayList<>(slots);
    int renewed = 0;
    for (int i = 0; i < next.size(); i++) {
      if (next.get(i) instanceof Claimed c && c.memberUuid().equals(memberUuid)) {
        renewed++;
        if (c.deadlineMillis() < deadlineMillis) {
          next.set(i, new Claimed(c.task(), c.worker(), c.memberUuid(), deadlineMillis));
        }
      }
    }
    return new Step<>(renewed == 0 ? this : with(next), renewed, renewed > 0);
  }

  /**
   * Records each result whose task has none yet, whether the task is claimed (by its sender or by
   * another worker after a put back) or queued again: the first result wins. A result for a task
   * already recorded or consumed, or not in this block, is a duplicate and changes nothing. A
   * forged result (one that did not open under the cluster secret) is never recorded, and one found
   * in a slot counts as no result: a real one replaces it.
   */
  Step<RecordOutcome> record(List<TaskResult> results) {
    return record(results, List.of());
  }

  /**
   * As above, for a pipeline too: a result of a stage before the last is not kept but moves its
   * task on, queued, as its task of the next stage, taken from {@code nextStage} (made by the
   * recording worker from the result, and signed). A result is open only for the stage its task
   * stands at: one of a stage already passed (its first run's answer, late) is a duplicate. A
   * result of an earlier stage with no next task is not recorded either.
   */
  Step<RecordOutcome> record(List<TaskResult> results, List<TaskChunk> nextStage) {
    List<TaskState> next = new ArrayList<>(slots);
    int recorded = 0;
    List<String> duplicates = new ArrayList<>();
    for (TaskResult result : results) {
      long slot = result.seq() - firstSeq;
      boolean open =
          !result.forged()
              && result.jobId().equals(jobId)
              && slot >= 0
              && slot < next.size()
              && switch (next.get((int) slot)) {
                case Queued(TaskChunk task) -> task.stage() == result.stage();
                case Claimed c -> c.task().stage() == result.stage();
                case Recorded(TaskResult held) -> held.forged();
                case Consumed c -> false;
              };
      TaskChunk following = null;
      if (open && result.stage() < stages() - 1) {
        following = nextOf(nextStage, result);
        open = following != null;
      }
      if (open) {
        next.set((int) slot, following != null ? new Queued(following) : new Recorded(result));
        recorded++;
      } else {
        duplicates.add(result.taskId());
      }
    }
    return new Step<>(
        recorded == 0 ? this : with(next), new RecordOutcome(recorded, duplicates), recorded > 0);
  }

  /** The task of the stage after {@code result}'s for its task, if {@code nextStage} has it. */
  private static @Nullable TaskChunk nextOf(List<TaskChunk> nextStage, TaskResult result) {
    for (TaskChunk task : nextStage) {
      if (task.seq() == result.seq()
          && task.stage() == result.stage() + 1
          && task.jobId().equals(result.jobId())
          && task.firstIndex() == result.firstIndex()
          && task.count() == result.count()) {
        return task;
      }
    }
    return null;
  }

  /**
   * Up to {@code max} recorded results, in task order; changes nothing. A forged one is no result:
   * it is never handed to a reader.
   */
  List<TaskResult> pending(int max) {
    List<TaskResult> found = new ArrayList<>();
    for (int i = 0; i < slots.size() && found.size() < max; i++) {
      if (slots.get(i) instanceof Recorded(TaskResult result) && !result.forged()) {
        found.add(result);
      }
    }
    return List.copyOf(found);
  }

  /** What is left of each consumed task: its counts, as a delivered result. */
  List<TaskResult> delivered() {
    List<TaskResult> found = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      if (slots.get(i) instanceof Consumed(int ok, int failed, long end, int recording)) {
        found.add(TaskResult.counted(jobId, firstSeq + i, end, ok, failed));
      }
    }
    return List.copyOf(found);
  }

  /**
   * Marks the recorded results of tasks {@code seqs} consumed, keeping only their counts; a task
   * not recorded (or already consumed) is left as it is.
   *
   * @return how many were consumed
   */
  Step<Integer> settle(Collection<Long> seqs) {
    List<TaskState> next = new ArrayList<>(slots);
    int settled = 0;
    for (long seq : seqs) {
      long slot = seq - firstSeq;
      if (slot >= 0
          && slot < next.size()
          && next.get((int) slot) instanceof Recorded(TaskResult r)) {
        next.set((int) slot, Consumed.of(r));
        settled++;
      }
    }
    return new Step<>(settled == 0 ? this : with(next), settled, settled > 0);
  }

  /**
   * Queues again, as the same attempt, the claims on tasks {@code seqs} held on {@code memberUuid}:
   * a worker handing back tasks it will not run.
   *
   * @return how many went back
   */
  Step<Integer> release(String memberUuid, Collection<Long> seqs) {
    List<TaskState> next = new ArrayList<>(slots);
    int released = 0;
    for (long seq : seqs) {
      long slot = seq - firstSeq;
      if (slot >= 0
          && slot < next.size()
          && next.get((int) slot) instanceof Claimed c
          && c.memberUuid().equals(memberUuid)) {
        next.set((int) slot, new Queued(c.task()));
        released++;
      }
    }
    return new Step<>(released == 0 ? this : with(next), released, released > 0);
  }

  /**
   * Queues again, as their next attempt, the claims {@code loss} names: all of them in this block
   * at once. A task of a broadcast job whose target {@code loss} names (left, or silent) is not run
   * elsewhere: it is recorded as failed, each item with {@link #TARGET_LEFT}, queued or claimed.
   *
   * @return the worker of each claim that went back
   */
  Step<List<String>> putBack(Loss loss, long nowMillis) {
    List<TaskState> next = new ArrayList<>(slots);
    List<String> holders = new ArrayList<>();
    boolean failed = false;
    for (int i = 0; i < next.size(); i++) {
      TaskChunk task =
          switch (next.get(i)) {
            case Queued q -> q.task();
            case Claimed c -> c.task();
            case Recorded r -> null;
            case Consumed c -> null;
          };
      if (task != null && task.targeted() && targetLost(task.target(), loss)) {
        next.set(i, new Recorded(targetLeft(task)));
        failed = true;
      } else if (next.get(i) instanceof Claimed c && isLost(c, loss, nowMillis)) {
        next.set(i, c.putBack());
        holders.add(c.worker());
      }
    }
    return holders.isEmpty() && !failed
        ? new Step<>(this, List.of(), false)
        : new Step<>(with(next), List.copyOf(holders), true);
  }

  /** The error of each item of a broadcast task whose target left before running it. */
  static final String TARGET_LEFT =
      "its worker left the cluster before running it (a broadcast item runs on its own worker"
          + " only)";

  /** The result of a broadcast task whose target left: every item failed, on its worker. */
  private static TaskResult targetLeft(TaskChunk task) {
    String[] errors = new String[task.count()];
    java.util.Arrays.fill(errors, TARGET_LEFT);
    return TaskResult.of(task, task.targetWorker(), 0, new String[task.count()], errors);
  }

  /**
   * Whether {@code loss} says member {@code target} is gone: it left or went silent. Claims past
   * their deadline on a live member say nothing of it.
   */
  private static boolean targetLost(String target, Loss loss) {
    return switch (loss) {
      case Loss.MemberLeft left -> target.equals(left.memberUuid());
      case Loss.Departed departed -> !departed.members().contains(target);
      case Loss.ClaimsExpired expired -> false;
    };
  }

  private static boolean isLost(Claimed claim, Loss loss, long nowMillis) {
    return switch (loss) {
      case Loss.MemberLeft left -> claim.memberUuid().equals(left.memberUuid());
      case Loss.Departed departed -> !departed.members().contains(claim.memberUuid());
      case Loss.ClaimsExpired expired ->
          claim.memberUuid().equals(expired.memberUuid())
              && claim.deadlineMillis() < nowMillis
              && !expired.running().contains(claim.task().taskId());
    };
  }

  /**
   * Queued tasks a claimer from {@code onLane} could claim: all of them in a job of one stage,
   * those of stages on that lane in a pipeline.
   */
  int queuedFor(Lane onLane) {
    return stages() == 1 ? queued() : queued(onLane);
  }

  /** Queued tasks whose stage runs on {@code onLane}. */
  int queued(Lane onLane) {
    int queued = 0;
    for (TaskState state : slots) {
      if (state instanceof Queued(TaskChunk task) && laneOf(task.stage()) == onLane) {
        queued++;
      }
    }
    return queued;
  }

  /** The lanes with queued tasks in this block. */
  List<Lane> queuedLanes() {
    java.util.EnumSet<Lane> lanes = java.util.EnumSet.noneOf(Lane.class);
    for (TaskState state : slots) {
      if (state instanceof Queued(TaskChunk task)) {
        lanes.add(laneOf(task.stage()));
      }
    }
    return List.copyOf(lanes);
  }

  int queued() {
    int queued = 0;
    for (TaskState state : slots) {
      if (state instanceof Queued) {
        queued++;
      }
    }
    return queued;
  }

  /**
   * Whether a task of the block is queued, claimed, or recorded and not yet read: the blocks that a
   * put back, the audit and the tallies of what is queued or unread are about ({@link
   * ActiveBlocks}).
   */
  boolean active() {
    return !consumed();
  }

  /** Every task consumed: the block keeps nothing but counts. */
  boolean consumed() {
    for (TaskState state : slots) {
      if (!(state instanceof Consumed)) {
        return false;
      }
    }
    return true;
  }

  /**
   * How many tasks stand in each state, and nothing of what results hold: what a reader settling
   * the block needs, without reading every recorded result's texts as {@link #tally} does.
   */
  JobTally counts() {
    long queued = 0;
    long claimed = 0;
    long recorded = 0;
    for (TaskState state : slots) {
      switch (state) {
        case Queued q -> queued++;
        case Claimed c -> claimed++;
        case Recorded r -> recorded++;
        case Consumed c -> {}
      }
    }
    return new JobTally(queued, claimed, recorded, slots.size() - queued - claimed - recorded);
  }

  JobTally tally() {
    long queued = 0;
    long claimed = 0;
    long recorded = 0;
    long consumed = 0;
    long unreadOk = 0;
    long unreadFailed = 0;
    long unreadBytes = 0;
    long itemsOk = 0;
    long itemsFailed = 0;
    long lastSeq = -1;
    long lastEnd = -1;
    long[] waitingAt = new long[stages() > 1 ? stages() : 0];
    for (int i = 0; i < slots.size(); i++) {
      switch (slots.get(i)) {
        case Queued(TaskChunk task) -> {
          queued++;
          waiting(waitingAt, task);
          lastSeq = task.seq();
          lastEnd = task.firstIndex() + task.count();
        }
        case Claimed c -> {
          claimed++;
          waiting(waitingAt, c.task());
          lastSeq = c.task().seq();
          lastEnd = c.task().firstIndex() + c.task().count();
        }
        case Recorded(TaskResult result) -> {
          recorded++;
          unreadOk += result.ok();
          unreadFailed += result.failed();
          unreadBytes += result.heldBytes();
          itemsOk += result.ok();
          itemsFailed += result.failed();
          lastSeq = result.seq();
          lastEnd = result.firstIndex() + result.count();
        }
        case Consumed c -> {
          consumed++;
          itemsOk += c.ok();
          itemsFailed += c.failed();
          lastSeq = firstSeq + i;
          lastEnd = c.end();
        }
      }
    }
    return new JobTally(
        queued,
        claimed,
        recorded,
        consumed,
        unreadOk,
        unreadFailed,
        unreadBytes,
        itemsOk,
        itemsFailed,
        lastSeq,
        lastEnd,
        java.util.Arrays.stream(waitingAt).boxed().toList());
  }

  private static void waiting(long[] waitingAt, TaskChunk task) {
    if (task.stage() < waitingAt.length) {
      waitingAt[task.stage()]++;
    }
  }

  private TaskBlock with(List<TaskState> next) {
    return new TaskBlock(jobId, lane, firstSeq, next, laterLanes);
  }
}
