package dev.crew.worker;

import dev.crew.common.Params;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.tasks.NoopTask;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A worker's own cost per item of an auto-chunked task, without the cluster: the CPU lane's thread
 * running a chunk of {@value #ITEMS} range items through {@code noop}, from the first item to the
 * result it hands to its sink. Reported per item.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChunkRunBench {
  static final int ITEMS = 100_000;

  private Binding.Run noop;
  private TaskChunk chunk;
  private TaskResult last;

  @Setup
  public void setUp() {
    noop = new Binding.Run(new NoopTask().bind(Params.NONE));
    chunk = TaskChunk.ofRange("noop-bench01", 7, 7L * ITEMS, 1_000_000, ITEMS);
  }

  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public TaskResult noopChunk() throws InterruptedException {
    new ChunkRun(chunk, noop, result -> last = result, "127.0.0.1:5701", System::nanoTime)
        .runFrom(0, () -> {}, Runnable::run);
    return last;
  }
}
