package dev.crew.worker;

import dev.crew.common.ItemFunction;
import dev.crew.common.ResultJson;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One task being run: collects a value or an error per item, in any order and from any thread, and records the
 * task's result when its last item finishes.
 */
final class ChunkRun {
  private final TaskChunk chunk;
  private final Binding binding;
  private final ResultSink sink;
  private final String worker;
  private final LongSupplier nanoTime;
  private final String[] values;
  private final String[] errors;
  private final AtomicInteger remaining;
  private final AtomicLong busyNanos = new AtomicLong();

  ChunkRun(TaskChunk chunk, Binding binding, ResultSink sink, String worker, LongSupplier nanoTime) {
    this.chunk = chunk;
    this.binding = binding;
    this.sink = sink;
    this.worker = worker;
    this.nanoTime = nanoTime;
    this.values = new String[chunk.count()];
    this.errors = new String[chunk.count()];
    this.remaining = new AtomicInteger(chunk.count());
  }

  TaskChunk chunk() {
    return chunk;
  }

  /** Runs item {@code i} on the calling thread; records the task's result if this was its last item. */
  void runItem(int i) throws InterruptedException {
    long start = nanoTime.getAsLong();
    switch (binding) {
      case Binding.Run run -> apply(run.function(), i);
      case Binding.Refuse refuse -> errors[i] = refuse.error();
      case Binding.Drop drop -> throw new IllegalStateException("a dropped task is never run: " + drop.reason());
    }
    busyNanos.addAndGet(nanoTime.getAsLong() - start);
    if (remaining.decrementAndGet() == 0) {
      // The decrement publishes every other thread's writes to values and errors to this one.
      sink.record(TaskResult.of(chunk, worker, busyNanos.get(), values, errors));
    }
  }

  /** Runs every item in order on the calling thread. */
  void runAll() throws InterruptedException {
    for (int i = 0; i < chunk.count(); i++) {
      runItem(i);
    }
    if (chunk.count() == 0) {
      sink.record(TaskResult.of(chunk, worker, 0, values, errors));
    }
  }

  private void apply(ItemFunction function, int i) throws InterruptedException {
    try {
      values[i] = ResultJson.render(function.apply(chunk.item(i)));
    } catch (InterruptedException e) {
      errors[i] = "interrupted";
      throw e;
    } catch (VirtualMachineError e) {
      if (!(e instanceof StackOverflowError)) {
        throw e; // out of memory or an internal JVM error: this worker cannot go on safely
      }
      errors[i] = Outcomes.describe(e);
    } catch (Throwable e) {
      // Anything else an item throws (a plugin's missing class, an assertion) is that item's error alone.
      errors[i] = Outcomes.describe(e);
    }
  }
}
