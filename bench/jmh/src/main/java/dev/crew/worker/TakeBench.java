package dev.crew.worker;

import com.hazelcast.collection.IQueue;
import dev.crew.bench.OneMember;
import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Taking a task, per task: the worker's own {@link LeasingTaskSource} (poll and lease in one two-phase transaction)
 * against a plain {@code IQueue.poll}, on a one-member cluster configured as a worker's member is. Each call first
 * offers the one task it takes, so both sides include the same offer. The benchmark lives in the worker's package to
 * run the worker's own package-private class.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TakeBench {
  private OneMember member;
  private IQueue<TaskChunk> queue;
  private LeasingTaskSource leasing;
  private long seq;

  @Setup(Level.Trial)
  public void setUp() {
    member = new OneMember(0);
    queue = member.hazelcast.getQueue(Lane.CPU.queueName());
    leasing = new LeasingTaskSource(member.hazelcast, Lane.CPU, "worker-uuid", "127.0.0.1:5901", System::currentTimeMillis);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    member.close();
  }

  @Benchmark
  public Object offerThenLeasedTake() throws InterruptedException {
    queue.offer(TaskChunk.ofRange("noop-bench01", seq++, seq, seq, 1));
    return leasing.take(1, Duration.ZERO);
  }

  @Benchmark
  public Object offerThenPlainPoll() {
    queue.offer(TaskChunk.ofRange("noop-bench01", seq++, seq, seq, 1));
    return queue.poll();
  }
}
