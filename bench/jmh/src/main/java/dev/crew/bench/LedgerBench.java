package dev.crew.bench;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The task ledger's claim/record path, per one-item no-op task: the client stores, the member
 * claims and records, the client consumes, one after the other on one thread. {@code oneTask} moves
 * one task at a time (the latency of the four calls); {@code blockOf64} moves a block at a time, as
 * a lane allowed a block of no-op tasks would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LedgerBench {
  private static final int BLOCK = 64;

  private LedgerCluster cluster;
  private String jobId;
  private long seq;

  @Setup(Level.Trial)
  public void setUp() {
    cluster = new LedgerCluster();
  }

  @Setup(Level.Iteration)
  public void newJob() {
    if (jobId != null) {
      cluster.submitterSide.forget(jobId);
    }
    jobId = "noop-" + System.nanoTime();
    seq = 0;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cluster.close();
  }

  @Benchmark
  public int oneTask() throws InterruptedException {
    return move(1);
  }

  @Benchmark
  @OperationsPerInvocation(BLOCK)
  public int blockOf64() throws InterruptedException {
    return move(BLOCK);
  }

  private int move(int count) throws InterruptedException {
    List<TaskChunk> tasks = new ArrayList<>(count);
    for (int i = 0; i < count; i++, seq++) {
      tasks.add(TaskChunk.ofRange(jobId, seq, seq, seq, 1));
    }
    cluster.submitterSide.store(Lane.CPU, tasks);
    List<TaskChunk> claimed = new ArrayList<>(count);
    while (claimed.size() < count) {
      claimed.addAll(
          cluster.workerSide.claim(
              Lane.CPU, cluster.claimant, count - claimed.size(), Duration.ofSeconds(1)));
    }
    List<TaskResult> results = new ArrayList<>(count);
    for (TaskChunk task : claimed) {
      results.add(
          TaskResult.of(task, cluster.claimant.worker(), 0, new String[] {"0"}, new String[1]));
    }
    cluster.workerSide.record(results);
    int consumed = 0;
    while (consumed < count) {
      consumed += cluster.submitterSide.consume(jobId, count).size();
    }
    return consumed;
  }
}
