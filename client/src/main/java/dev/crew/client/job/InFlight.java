package dev.crew.client.job;

import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;

/**
 * A run's tasks stored and not yet handed on, with their item counts, and the windows of tasks and
 * items that bound them: the producer waits for room, the reader makes room as it hands results on,
 * so the cluster holds a bounded part of a job however large its input.
 */
final class InFlight {
  /** What the producer does before it waits for room: store what it has batched. */
  interface BeforeWaiting {
    void run() throws InterruptedException;
  }

  private final ConcurrentSkipListMap<Long, Integer> awaited = new ConcurrentSkipListMap<>();
  private final Semaphore tasks;
  private final Semaphore items;
  private int taskWindow;

  InFlight(int taskWindow, int itemWindow) {
    this.tasks = new Semaphore(taskWindow);
    this.items = new Semaphore(itemWindow);
    this.taskWindow = taskWindow;
  }

  /** Lets up to {@code window} tasks be in flight, if that is more than now (it never shrinks). */
  synchronized void widenTo(int window) {
    if (window > taskWindow) {
      tasks.release(window - taskWindow);
      taskWindow = window;
    }
  }

  /** Awaits tasks {@code 0..nextSeq-1}, stored by an earlier submission: they take no room. */
  void awaitEarlier(long nextSeq) {
    for (long seq = 0; seq < nextSeq; seq++) {
      awaited.put(seq, 0);
    }
  }

  /**
   * Takes room for task {@code seq} of {@code count} items, waiting for it (after {@code
   * beforeWaiting}) when there is none, and awaits its result.
   */
  void admit(long seq, int count, BeforeWaiting beforeWaiting) throws InterruptedException {
    if (!tasks.tryAcquire()) {
      beforeWaiting.run();
      tasks.acquire();
    }
    if (!items.tryAcquire(count)) {
      beforeWaiting.run();
      items.acquire(count);
    }
    awaited.put(seq, count);
  }

  /**
   * Marks task {@code seq}'s result handed on and frees its room.
   *
   * @return its item count (0 for a task of an earlier submission), or -1 if it is not awaited:
   *     handed on already
   */
  int handOver(long seq) {
    Integer count = awaited.remove(seq);
    if (count == null) {
      return -1;
    }
    release(count);
    return count;
  }

  /**
   * Frees the room of {@code done} tasks, oldest first: for a run that learns how many tasks have
   * finished, not which. A task that finishes out of order frees an older one's room.
   */
  void handOverOldest(long done) {
    for (long i = 0; i < done; i++) {
      Map.Entry<Long, Integer> oldest = awaited.pollFirstEntry();
      if (oldest == null) {
        return;
      }
      release(oldest.getValue());
    }
  }

  /** The tasks whose results are awaited, in order. */
  NavigableSet<Long> awaited() {
    return awaited.keySet();
  }

  private void release(int count) {
    if (count > 0) {
      tasks.release();
      items.release(count);
    }
  }
}
