package dev.crew.bench;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import dev.crew.common.JobSigner;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.util.Arrays;
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
 * Task encoding: a task and its result through Hazelcast Compact serialization, as every queue
 * offer, poll and result write does. {@code items} is the chunk size: 1 is the one-item task of
 * {@code --chunk 1}, 1000 an auto-sized chunk of listed items. {@code sealed}: with a cluster
 * secret, items and results are sealed (AES-GCM) on the way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBench {
  @Param({"1", "1000"})
  public int items;

  @Param({"false", "true"})
  public boolean sealed;

  private OneMember member;
  private InternalSerializationService serialization;
  private TaskChunk chunk;
  private TaskResult result;
  private Data chunkData;
  private Data resultData;

  @Setup(Level.Trial)
  public void setUp() {
    member = new OneMember(0, sealed ? JobSigner.of("bench secret").sealer() : null);
    serialization = member.serialization();
    String[] listed = new String[items];
    String[] values = new String[items];
    for (int i = 0; i < items; i++) {
      listed[i] = Integer.toString(1_000_000 + i);
      values[i] = listed[i];
    }
    chunk =
        TaskChunk.ofItems("noop-bench01", 12_345, 12_345L * items, listed)
            .withSignature("a".repeat(44));
    result = TaskResult.of(chunk, "127.0.0.1:5701", 1_000, values, new String[items]);
    chunkData = serialization.toData(chunk);
    resultData = serialization.toData(result);
    Arrays.fill(values, null);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    member.close();
  }

  @Benchmark
  public Data encodeTask() {
    return serialization.toData(chunk);
  }

  @Benchmark
  public Object decodeTask() {
    return serialization.toObject(chunkData);
  }

  @Benchmark
  public Data encodeResult() {
    return serialization.toData(result);
  }

  @Benchmark
  public Object decodeResult() {
    return serialization.toObject(resultData);
  }
}
