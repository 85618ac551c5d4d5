package dev.crew.worker;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop of one lane: waits for a free slot, then claims tasks, about a millisecond of
 * measured work per free slot (at least one task each): one task per slot for tasks of 500 ms, a
 * block of them for tasks of a few microseconds. What it holds beyond its free slots runs within
 * about a millisecond, so an idle core on another worker is never starved by this one's buffer.
 *
 * <p>On the CPU lane a slot is a thread and a task holds one for all its items; the tasks of one
 * claim share the slots it was made for, each slot's thread taking the claim's next task as its
 * last one ends. On the I/O lane a slot is one item in flight: a task's items run concurrently,
 * each on its own virtual thread, and the loop waits for a slot per item before it starts it, so it
 * takes no new task while the one it holds cannot start.
 */
final class LaneLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LaneLoop.class);
  private static final Duration POLL_WAIT = Duration.ofMillis(250);
  private static final int MAX_BATCH = 64;

  /** Work a lane claims per free slot, as measured: about one millisecond. */
  static final long WORK_PER_SLOT_NANOS = 1_000_000;

  /** Most tasks one claim asks for. */
  static final int MAX_CLAIM = 256;

  private final Lane lane;
  private final LaneSlots slots;
  private final @Nullable KeyLimits keys;
  private final boolean slotPerItem;
  private final TaskSource source;
  private final Function<TaskChunk, ChunkRun> runs;
  private final Executor executor;
  private final AtomicLong tasksRun = new AtomicLong();
  private final AtomicLong itemsRun = new AtomicLong();
  private volatile boolean running = true;

  /** Slots the loop holds while it waits for tasks: not busy, though not free either. */
  private volatile int waitingWith;

  /**
   * Slots the loop has taken and not yet spent on a run (loop thread only): what it hands back when
   * a take ends, also when it was interrupted halfway through starting a task's items.
   */
  private int held;

  /**
   * Items per task lately seen, so the I/O lane takes about as many tasks as it has item slots
   * free; 0 until it has seen a task, when it claims one. (Guessing one item per task, a lane of 20
   * slots claimed 20 tasks of 100 items, and held most of them for seconds while other jobs' tasks,
   * and other workers, waited.)
   */
  private double itemsPerTask;

  /**
   * Wall time one slot spends per task (CPU lane) or per item (I/O lane), a moving average; 0 until
   * the first is measured, when the lane claims one per slot.
   */
  private volatile double nanosPerRun;

  /**
   * @param runs starts the run of a task, or returns {@code null} when the task is to be dropped
   *     unrun; called by this loop's thread (I/O lane) or by the thread about to run the task (CPU
   *     lane), so from several threads at once
   */
  LaneLoop(
      Lane lane,
      int slotCount,
      boolean slotPerItem,
      TaskSource source,
      Function<TaskChunk, ChunkRun> runs,
      Executor executor) {
    this(lane, fixedSlots(lane, slotCount), null, slotPerItem, source, runs, executor);
  }

  /**
   * @param slots the lane's slots, fixed or following an adaptive limit
   * @param keys the limits per key the runs' items wait for (the same the runs were given), or null
   */
  LaneLoop(
      Lane lane,
      LaneSlots slots,
      @Nullable KeyLimits keys,
      boolean slotPerItem,
      TaskSource source,
      Function<TaskChunk, ChunkRun> runs,
      Executor executor) {
    this.lane = lane;
    this.slots = slots;
    this.keys = keys;
    this.slotPerItem = slotPerItem;
    this.source = source;
    this.runs = runs;
    this.executor = executor;
  }

  @Override
  public void run() {
    while (running) {
      try {
        takeAndDispatch();
      } catch (InterruptedException e) {
        if (running) {
          log.warn("{} lane interrupted while running; stopping it", lane.id());
        }
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        log.warn("{} lane could not take tasks: {}", lane.id(), e.toString());
      }
    }
  }

  private void takeAndDispatch() throws InterruptedException {
    slots.acquire();
    if (!running) {
      slots.release(1); // told to stop while waiting for a slot: take nothing more
      return;
    }
    held = 1;
    held += slots.tryAcquireUpTo(MAX_BATCH - 1);
    try {
      double runsPerTask = slotPerItem ? itemsPerTask : 1; // 0: no task seen yet
      int want = runsPerTask > 0 ? claimSize(held, runsPerTask, nanosPerRun) : 1;
      waitingWith = held;
      List<TaskChunk> taken;
      try {
        taken = source.take(want, POLL_WAIT);
      } finally {
        waitingWith = 0;
      }
      if (slotPerItem) {
        for (TaskChunk chunk : taken) {
          dispatch(chunk);
        }
      } else {
        dispatchShared(taken);
      }
    } finally {
      slots.release(held);
      held = 0;
    }
  }

  /**
   * How many tasks to claim for {@code freeSlots}: about {@link #WORK_PER_SLOT_NANOS} of work per
   * slot at {@code nanosPerRun} a run (0: not measured yet, one run per slot), at least one task,
   * at most {@link #MAX_CLAIM}.
   */
  static int claimSize(int freeSlots, double runsPerTask, double nanosPerRun) {
    double runsPerSlot =
        nanosPerRun <= 0 ? 1 : Math.max(1, Math.floor(WORK_PER_SLOT_NANOS / nanosPerRun));
    double tasks = freeSlots * runsPerSlot / Math.max(1, runsPerTask);
    return (int) Math.clamp((long) tasks, 1, MAX_CLAIM);
  }

  /**
   * What a run started at {@code started} calls once, when its slot is free again (at its end, or
   * when an item is given up on): its time measured, then the slot released if it holds one. In
   * that order, as the next take, which the freed slot may start, must see it (an item that ran
   * long, measured after a short one that took its slot, let a take ask for many short items'
   * worth).
   */
  private Runnable measuredRelease(long started, boolean holdsSlot) {
    return () -> {
      measured(System.nanoTime() - started);
      if (holdsSlot) {
        slots.release(1);
      }
    };
  }

  /**
   * As {@link #measuredRelease} for one item of the I/O lane: its round trip, and whether it showed
   * overload, also go to the lane's limit; the round trip without the time the item waited for its
   * key ({@link KeyLimits}), and the items holding a pass of their key counted as in flight, not
   * those waiting for one or just started. An item that failed without an overload sign only frees
   * its slot: its round trip says nothing of load.
   */
  private ChunkRun.ItemEnd measuredItemEnd(ChunkRun run, int item, long started) {
    return sign -> {
      measured(System.nanoTime() - started);
      boolean overloaded = sign == ChunkRun.Sign.OVERLOADED;
      if (sign == ChunkRun.Sign.FAILED) {
        slots.release(1);
      } else if (keys == null) {
        slots.finished(run.chunk().jobId(), started, overloaded);
      } else {
        // This item handed its pass back already: it counts as in flight too, as a slot it holds.
        slots.finished(
            run.chunk().jobId(), started + run.waitedNanos(item), keys.running() + 1, overloaded);
      }
    };
  }

  private static LaneSlots fixedSlots(Lane lane, int slotCount) {
    if (slotCount < 1) {
      throw new IllegalArgumentException(
          lane.id() + " lane needs at least one slot, not " + slotCount);
    }
    return LaneSlots.fixed(slotCount);
  }

  /** Adds a run's wall time to the moving average (racy updates only blur it a little). */
  private void measured(long nanos) {
    double before = nanosPerRun;
    nanosPerRun = before <= 0 ? nanos : 0.9 * before + 0.1 * nanos;
  }

  /** The run of {@code chunk}, or null when it is dropped unrun or cannot start. */
  private @Nullable ChunkRun start(TaskChunk chunk) {
    ChunkRun run;
    try {
      run = runs.apply(chunk);
    } catch (RuntimeException e) {
      // One task that cannot start must not take the rest of the batch down with it.
      log.error("could not start task {}: {}", chunk.taskId(), e.toString());
      return null;
    }
    if (run != null) {
      tasksRun.incrementAndGet();
      itemsRun.addAndGet(chunk.count());
    }
    return run;
  }

  /**
   * Runs a claim's tasks on the slots held (the CPU lane: a task holds one slot): one thread per
   * slot, up to one per task, each starting the claim's next task when its last one ends, until
   * none is left. A claim of a few hundred short tasks costs two thread hand-overs, not two per
   * task (a thread woken for each task, and this loop woken as each ended to start the next: most
   * of a one-item task's cost on a 2-core machine, in the kernel).
   */
  private void dispatchShared(List<TaskChunk> taken) {
    if (taken.isEmpty()) {
      return;
    }
    ClaimRunner claim = new ClaimRunner(taken);
    for (int i = Math.min(held, taken.size()); i > 0; i--) {
      held--;
      executor.execute(claim::runOn);
    }
  }

  /** The tasks of one claim, taken in turn by the threads its slots run on. */
  private final class ClaimRunner {
    private final List<TaskChunk> tasks;
    private final AtomicInteger next = new AtomicInteger();

    ClaimRunner(List<TaskChunk> tasks) {
      this.tasks = tasks;
    }

    /**
     * Runs the claim's next tasks on this thread, holding one slot, and releases it when none is
     * left. If an item is given up on, its task goes on in a new thread ({@link ChunkRun#runFrom}),
     * which then goes on with the claim's next tasks here, and this thread leaves them.
     */
    void runOn() {
      Thread self = Thread.currentThread();
      for (int i = next.getAndIncrement(); i < tasks.size(); i = next.getAndIncrement()) {
        // Started as it comes up, not when claimed: whether it may run (its job's result budget,
        // say) is decided then.
        ChunkRun run = start(tasks.get(i));
        if (run == null) {
          continue;
        }
        long startedAt = System.nanoTime();
        AtomicBoolean inRun = new AtomicBoolean(true);
        AtomicBoolean endedHere = new AtomicBoolean();
        Runnable end =
            () -> {
              measured(System.nanoTime() - startedAt);
              // Ended inside this thread's runFrom, or in a thread it went on in after an item was
              // given up on (perhaps this same pool thread again, once this frame had left).
              if (Thread.currentThread() == self && inRun.get()) {
                endedHere.set(true);
              } else {
                runOn(); // the task went on in another thread: it takes the claim's rest
              }
            };
        try {
          run.runFrom(0, end, executor);
        } catch (InterruptedException e) {
          if (!running) {
            // Interrupted as the worker closes, past its drain timeout: the claims of the tasks
            // not started went back with the others it held.
            Thread.currentThread().interrupt();
            if (endedHere.get()) {
              slots.release(1);
            }
            return;
          }
          // An interrupt meant for this task's items (its job was cancelled), not for the next.
        } catch (RuntimeException e) {
          log.error("task {} failed outside its items: {}", run.chunk().taskId(), e.toString(), e);
        } finally {
          inRun.set(false);
        }
        if (!endedHere.get()) {
          return; // the task, the claim's rest and the slot went on in another thread
        }
      }
      slots.release(1);
    }
  }

  /**
   * Starts {@code chunk}'s items (the I/O lane), each on a slot: held first, then the next free.
   */
  private void dispatch(TaskChunk chunk) throws InterruptedException {
    ChunkRun run = start(chunk);
    if (run == null) {
      return;
    }
    int items = Math.max(1, chunk.count());
    itemsPerTask = itemsPerTask > 0 ? 0.8 * itemsPerTask + 0.2 * items : items;
    if (chunk.count() == 0) {
      executor.execute(() -> runAndRelease(run, /* holdsSlot= */ false));
      return;
    }
    for (int i = 0; i < chunk.count(); i++) {
      spendOne();
      int item = i;
      executor.execute(() -> runItemAndRelease(run, item));
    }
  }

  /** Takes one slot for a run: one held, or the next that frees. */
  private void spendOne() throws InterruptedException {
    if (held > 0) {
      held--;
    } else {
      slots.acquire();
    }
  }

  /** Runs a task of no items (the I/O lane), which holds no slot. */
  private void runAndRelease(ChunkRun run, boolean holdsSlot) {
    try {
      run.runFrom(0, measuredRelease(System.nanoTime(), holdsSlot), executor);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("task {} failed outside its items: {}", run.chunk().taskId(), e.toString(), e);
    }
  }

  /** Runs one item on its slot; if the item is given up on, its slot is freed at once. */
  private void runItemAndRelease(ChunkRun run, int item) {
    try {
      run.runOne(item, measuredItemEnd(run, item, System.nanoTime()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("task {} failed outside its items: {}", run.chunk().taskId(), e.toString(), e);
    }
  }

  /**
   * Stops taking tasks; what is running goes on. The loop is not interrupted: it still starts every
   * task it has taken, and leaves within one poll wait. (Interrupted there, it would leave claims
   * it does not run: {@link Worker#close} interrupts it only at the drain timeout, before it hands
   * back every claim it holds.)
   */
  void stopTaking() {
    running = false;
  }

  /** Waits until every slot is free again, i.e. nothing this lane started is still running. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    return slots.awaitIdle(timeout);
  }

  Lane lane() {
    return lane;
  }

  /** The lane's slots now: fixed, or the limit the I/O lane has settled on so far. */
  int slotCount() {
    return slots.size();
  }

  LaneSlots slots() {
    return slots;
  }

  /** Slots running work now (not those the loop holds while it waits for a task). */
  int busySlots() {
    return Math.max(0, slots.taken() - waitingWith);
  }

  long tasksRun() {
    return tasksRun.get();
  }

  long itemsRun() {
    return itemsRun.get();
  }
}
