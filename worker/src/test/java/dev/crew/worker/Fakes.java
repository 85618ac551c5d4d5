package dev.crew.worker;

import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/** In-memory stand-ins for the cluster side of a lane: a task queue and a result store. */
final class Fakes {
  private Fakes() {}

  /**
   * One call of {@link TaskSource#take}: the {@code max} asked for and what the test's probe saw at
   * that moment.
   */
  record Take(int max, int probe, int taken) {}

  /** A task source backed by a blocking queue that records every {@code take}. */
  static final class QueueSource implements TaskSource {
    final BlockingQueue<TaskChunk> queue = new LinkedBlockingQueue<>();
    final List<Take> takes = new CopyOnWriteArrayList<>();
    private final IntSupplier probe;

    QueueSource() {
      this(() -> 0);
    }

    /**
     * @param probe read at the start of every take, e.g. the number of items running then
     */
    QueueSource(IntSupplier probe) {
      this.probe = probe;
    }

    QueueSource offer(TaskChunk... chunks) {
      for (TaskChunk chunk : chunks) {
        queue.add(chunk);
      }
      return this;
    }

    @Override
    public List<TaskChunk> take(int max, Duration wait) throws InterruptedException {
      int seen = probe.getAsInt();
      List<TaskChunk> taken = new ArrayList<>(max);
      queue.drainTo(taken, max);
      if (taken.isEmpty()) {
        TaskChunk first = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (first != null) {
          taken.add(first);
        }
      }
      takes.add(new Take(max, seen, taken.size()));
      return taken;
    }

    /** Takes that returned at least one task. */
    List<Take> productiveTakes() {
      return takes.stream().filter(t -> t.taken() > 0).toList();
    }
  }

  /** A result sink that keeps every result it is given, duplicates included. */
  static final class CollectingSink implements ResultSink {
    final List<TaskResult> results = new CopyOnWriteArrayList<>();

    @Override
    public void record(TaskResult result) {
      results.add(result);
    }

    List<TaskResult> forTask(String taskId) {
      return results.stream().filter(r -> r.taskId().equals(taskId)).toList();
    }
  }
}
