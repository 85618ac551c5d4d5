package dev.crew.bench;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.worker.stats.LaneLoad;
import dev.crew.worker.stats.WorkerMeters;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a worker's metrics cost per task: the hook every recorded task goes through (its job's
 * meters, then the counters, the live tally and, with the HTTP endpoint on, the Prometheus counters
 * and histograms), with the Prometheus registry off and on; and one scrape of {@code /metrics}'
 * text. Set against the worker's CPU time per one-item task (bench/metrics-overhead), these give
 * the share of the overhead benchmark that metrics take.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetersBench {
  @Param({"off", "on"})
  public String prometheus;

  private OneMember member;
  private WorkerMeters meters;
  private TaskResult result;

  @Setup(Level.Trial)
  public void setUp() {
    member = new OneMember(0);
    meters =
        new WorkerMeters(
            member.hazelcast,
            "127.0.0.1:5901",
            List.of(new LaneLoad(Lane.CPU, 2, () -> 1), new LaneLoad(Lane.IO, 1000, () -> 10)),
            jobId -> "noop",
            lane -> 0,
            prometheus.equals("on"));
    TaskChunk chunk = TaskChunk.ofRange("noop-bench01", 7, 7, 8, 1);
    result = TaskResult.of(chunk, "127.0.0.1:5901", 12_345, new String[] {"7"}, new String[1]);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    meters.close();
    member.close();
  }

  @Benchmark
  public WorkerMeters.TaskMeters recordTask() {
    WorkerMeters.TaskMeters taskMeters = meters.forJob(result.jobId());
    meters.recorded(taskMeters, result);
    return taskMeters;
  }

  @Benchmark
  public int scrape() {
    return meters.prometheus().map(registry -> registry.scrape().length()).orElse(0);
  }
}
