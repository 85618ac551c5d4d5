package dev.crew.bench;

import dev.crew.common.Job;
import dev.crew.common.JobSigner;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.SignedJob;
import dev.crew.common.TaskChunk;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The MACs of one one-item task under the cluster secret: the coordinator signs the task, a worker
 * checks the job's signature and the task's. {@code workerChecks} is what a worker spends per task
 * on both checks together when it verifies the job per task; {@code workerChecksJobRemembered} what
 * it spends when it looks the verified job up instead (as {@code JobBindings} does: the job's
 * signed part as the key of an access-ordered map) and checks only the task's MAC.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SignerBench {
  private JobSigner signer;
  private Job job;
  private TaskChunk task;
  private final Map<SignedJob, Boolean> remembered =
      Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, /* accessOrder= */ true));

  @Setup
  public void setUp() {
    signer = JobSigner.of("bench-secret-0123456789abcdef");
    Job unsigned =
        Job.submitting("noop-bench01", "noop", Lane.CPU, new Params(Map.of("ms", "0")), 1L)
            .queued(20_000, 20_000);
    job = unsigned.withSignature(signer.sign(unsigned));
    TaskChunk chunk = TaskChunk.ofRange(job.id(), 12_345, 12_345, 12_345, 1);
    task = chunk.withSignature(signer.sign(chunk));
    for (int i = 0; i < 20; i++) {
      remembered.put(SignedJob.of(job.withSignature("other" + i)), true);
    }
    remembered.put(SignedJob.of(job), true);
  }

  @Benchmark
  public String signTask() {
    return signer.sign(task);
  }

  @Benchmark
  public boolean verifyTask() {
    return signer.verify(task);
  }

  @Benchmark
  public boolean verifyJob() {
    return signer.verify(job);
  }

  @Benchmark
  public boolean workerChecks() {
    return signer.verify(job) & signer.verify(task);
  }

  @Benchmark
  public boolean workerChecksJobRemembered() {
    return remembered.get(SignedJob.of(job)) != null & signer.verify(task);
  }
}
