package dev.crew.worker;

import com.hazelcast.collection.IQueue;
import com.hazelcast.map.IMap;
import dev.crew.bench.OneMember;
import dev.crew.common.Lane;
import dev.crew.common.Names;
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
 * Taking a task, per task: the worker's own {@link LeasingTaskSource} (poll an id, claim its lease
 * with putIfAbsent, read the task from the task map) against a plain {@code IQueue.poll} of the id,
 * on a one-member cluster configured as a worker's member is. Each call first stores the task and
 * offers its id, as a coordinator does, so both sides include the same offer. The benchmark lives
 * in the worker's package to run the worker's own package-private class.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TakeBench {
  private OneMember member;
  private IQueue<String> queue;
  private IMap<String, TaskChunk> tasks;
  private LeasingTaskSource leasing;
  private long seq;

  @Setup(Level.Trial)
  public void setUp() {
    member = new OneMember(0);
    queue = member.hazelcast.getQueue(Lane.CPU.queueName());
    tasks = member.hazelcast.getMap(Names.TASKS);
    leasing =
        new LeasingTaskSource(
            member.hazelcast, Lane.CPU, "127.0.0.1:5901", System::currentTimeMillis);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    member.close();
  }

  @Benchmark
  public Object offerThenLeasedTake() throws InterruptedException {
    queue.offer(store());
    return leasing.take(1, Duration.ZERO);
  }

  /** Stores the next task, as a coordinator does before it queues the id; returns the id. */
  private String store() {
    TaskChunk chunk = TaskChunk.ofRange("noop-bench01", seq++, seq, seq, 1);
    tasks.set(chunk.taskId(), chunk);
    return chunk.taskId();
  }

  @Benchmark
  public Object offerThenPlainPoll() {
    queue.offer(store());
    return queue.poll();
  }
}
