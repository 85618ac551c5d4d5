package dev.crew.bench;

import com.hazelcast.map.IMap;
import dev.crew.common.Names;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Result recording, per task: what a worker's result sink does for every finished task (build the
 * result, {@code putIfAbsent} it under the task id, delete the task's lease), against a real
 * one-member cluster configured as a worker's member is. Each call records a new task id, as a job
 * does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RecordBench {
  private OneMember member;
  private IMap<String, TaskResult> results;
  private IMap<String, Object> leases;
  private long seq;

  @Setup(Level.Trial)
  public void setUp() {
    member = new OneMember(0);
    results = member.hazelcast.getMap(Names.RESULTS);
    leases = member.hazelcast.getMap(Names.LEASES);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    member.close();
  }

  @Benchmark
  public Object recordOneItemTask() {
    TaskChunk chunk = TaskChunk.ofRange("noop-bench01", seq++, seq, seq, 1);
    TaskResult result =
        TaskResult.of(
            chunk, "127.0.0.1:5701", 1_000, new String[] {Long.toString(seq)}, new String[1]);
    Object previous = results.putIfAbsent(result.taskId(), result);
    leases.delete(result.taskId());
    return previous;
  }
}
