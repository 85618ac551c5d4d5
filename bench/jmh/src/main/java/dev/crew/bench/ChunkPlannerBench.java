package dev.crew.bench;

import dev.crew.client.job.ChunkPlanner;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Chunk planning: the coordinator asks the planner for every task's size and tells it every
 * result's item time. Both take the planner's lock; this measures that per-task cost once probing
 * is over.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChunkPlannerBench {
  private ChunkPlanner planner;

  @Setup(Level.Trial)
  public void setUp() {
    planner = ChunkPlanner.auto(4, 10_000_000, Duration.ZERO);
    planner.record(1, 150);
  }

  @Benchmark
  public int planAndLearn() throws InterruptedException {
    int size = planner.nextSize();
    planner.record(size, 150L * size);
    return size;
  }
}
