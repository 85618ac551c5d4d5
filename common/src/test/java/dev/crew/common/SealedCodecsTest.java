package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.compact.Schema;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Crew's records written and read by processes configured as members and clients are, with the
 * cluster's secret, with another, and with none: what each can read, and what reads as forged.
 */
class SealedCodecsTest {
  /** One cluster's schemas, shared by every process in it. */
  private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();

  private final JobSigner signer = JobSigner.of("the cluster secret");
  private final InternalSerializationService holder = service(signer.sealer());
  private final InternalSerializationService outsider = service(null);
  private final InternalSerializationService otherSecret =
      service(JobSigner.of("another secret").sealer());

  private InternalSerializationService service(@Nullable Sealer sealer) {
    return service(sealer, true);
  }

  private InternalSerializationService service(@Nullable Sealer sealer, boolean crewCodecs) {
    return TestSerialization.service(schemas, crewCodecs, sealer);
  }

  @AfterEach
  void dispose() {
    holder.dispose();
    outsider.dispose();
    otherSecret.dispose();
  }

  private static String text(Data data) {
    return new String(data.toByteArray(), StandardCharsets.UTF_8);
  }

  private TaskChunk chunk() {
    TaskChunk unsigned =
        new TaskChunk("job-1", 4, 400, 2, 0, new String[] {"secret-item-a", "secret-item-b"}, 1);
    return new TaskChunk(
        unsigned.jobId(),
        unsigned.seq(),
        unsigned.firstIndex(),
        unsigned.count(),
        unsigned.rangeStart(),
        unsigned.items(),
        unsigned.attempt(),
        signer.sign(unsigned));
  }

  private TaskResult result() {
    return TaskResult.of(
        chunk(),
        "worker-1",
        1_000,
        new String[] {"\"secret-value\"", null},
        new String[] {null, "secret-error"});
  }

  @Test
  void sealed_recordsCarryNoItemParamOrResultTextButOpenForTheHolder() {
    Job job =
        new Job(
            "job-1",
            "http-get",
            Lane.IO,
            Params.parse(List.of("token=secret-param")),
            JobState.RUNNING,
            1L,
            2L,
            1L,
            0,
            0L,
            "sig");
    Data jobData = holder.toData(job);
    Data chunkData = holder.toData(chunk());
    Data resultData = holder.toData(result());

    assertThat(text(jobData)).doesNotContain("secret-param").doesNotContain("token");
    assertThat(text(chunkData)).doesNotContain("secret-item");
    assertThat(text(resultData))
        .doesNotContain("secret-item")
        .doesNotContain("secret-value")
        .doesNotContain("secret-error");
    assertThat((Job) holder.toObject(jobData)).isEqualTo(job);
    TaskChunk chunk = holder.toObject(chunkData);
    assertThat(chunk.items()).containsExactly("secret-item-a", "secret-item-b");
    assertThat(signer.verify(chunk)).isTrue();
    TaskResult result = holder.toObject(resultData);
    assertThat(result.forged()).isFalse();
    assertThat(result.values()).containsExactly("\"secret-value\"", null);
    assertThat(result.errors()).containsExactly(null, "secret-error");
  }

  @Test
  void pipeline_stagesAndCarriedErrorsRoundTripSealed_andAreSigned() {
    Job job =
        Job.submitting("job-p", "fib", Lane.CPU, Params.NONE, 1L)
            .withThen(
                List.of(
                    new Stage("sum-squares", Lane.CPU, Params.NONE),
                    new Stage("exec", Lane.IO, Params.parse(List.of("cmd=secret-cmd")))));
    Job signed = job.withSignature(signer.sign(job));
    TaskChunk next =
        chunk()
            .forStage(
                2,
                new String[] {"secret-next", ""},
                new String[] {null, "secret-carried"},
                new String[] {"\"secret-s1\"", "7", "\"secret-next\"", null});
    TaskChunk nextSigned = next.withSignature(signer.sign(next));
    TaskResult stageResult =
        TaskResult.of(nextSigned, "w", 1, new String[] {"1", null}, new String[] {null, "e"});

    Data jobData = holder.toData(signed);
    Data taskData = holder.toData(nextSigned);
    Job jobBack = holder.toObject(jobData);
    TaskChunk taskBack = holder.toObject(taskData);
    TaskResult resultBack = holder.toObject(holder.toData(stageResult));
    Job plainJob = outsider.toObject(outsider.toData(signed));

    assertThat(text(jobData)).doesNotContain("secret-cmd");
    assertThat(text(taskData)).doesNotContain("secret-next").doesNotContain("secret-carried");
    assertThat(jobBack).isEqualTo(signed);
    assertThat(jobBack.taskOf(2)).isEqualTo("exec");
    assertThat(jobBack.paramsOf(2).values()).containsEntry("cmd", "secret-cmd");
    assertThat(signer.verify(jobBack)).isTrue();
    assertThat(signer.verify(jobBack.withThen(List.of()))).isFalse();
    assertThat(plainJob).isEqualTo(signed);
    assertThat(taskBack.stage()).isEqualTo(2);
    assertThat(taskBack.items()).containsExactly("secret-next", "");
    assertThat(taskBack.carried()).containsExactly(null, "secret-carried");
    assertThat(signer.verify(taskBack)).isTrue();
    assertThat(signer.verify(taskBack.withItems(new String[] {"other", ""}))).isFalse();
    assertThat(text(taskData)).doesNotContain("secret-s1");
    assertThat(taskBack.earlier()).containsExactly("\"secret-s1\"", "7", "\"secret-next\"", null);
    assertThat(signer.verify(taskBack.withItems(taskBack.items()))).isTrue();
    assertThat(resultBack.stageValues(0)).containsExactly("\"secret-s1\"", "\"secret-next\"", "1");
    assertThat(resultBack.stageValues(1)).containsExactly("7", null, null);
    assertThat(resultBack.stage()).isEqualTo(2);
    assertThat(resultBack.forged()).isFalse();
  }

  @Test
  void cpuNanos_roundTripsSealedAndPlain_andAResultWithoutItOpensAsBefore() {
    TaskResult measured = result().withCpuNanos(12_345);

    TaskResult sealed = holder.toObject(holder.toData(measured));
    TaskResult plain = outsider.toObject(outsider.toData(measured));
    TaskResult unmeasured = holder.toObject(holder.toData(result()));

    assertThat(sealed.forged()).isFalse();
    assertThat(sealed.cpuNanos()).isEqualTo(12_345);
    assertThat(sealed.values()).containsExactly("\"secret-value\"", null);
    assertThat(plain.cpuNanos()).isEqualTo(12_345);
    assertThat(unmeasured.forged()).isFalse();
    assertThat(unmeasured.cpuNanos()).isZero();
  }

  @Test
  void anotherSecret_readsResultsAsForgedAndJobsAndTasksAsUnsigned() {
    TaskResult result = otherSecret.toObject(holder.toData(result()));
    TaskChunk chunk = otherSecret.toObject(holder.toData(chunk()));
    Job job =
        otherSecret.toObject(
            holder.toData(
                Job.submitting("j", "fib", Lane.CPU, Params.parse(List.of("n=30")), 1L)
                    .withSignature("sig")));

    assertThat(result.forged()).isTrue();
    assertThat(result.values()).containsOnlyNulls();
    assertThat(result.errors()).containsOnlyNulls();
    assertThat(chunk.items()).isNull();
    assertThat(chunk.signature()).isEmpty();
    assertThat(job.params().values()).isEmpty();
    assertThat(job.forged()).isTrue();
  }

  @Test
  void aJobWhoseStateWasChangedWithoutTheSecret_readsAsForged_andStaysForged() {
    Job running =
        Job.submitting("j", "fib", Lane.CPU, Params.parse(List.of("n=30")), 1L)
            .withSignature("sig")
            .withState(JobState.RUNNING);
    InternalSerializationService attacker = service(null, /* crewCodecs= */ false);
    GenericRecord stored = attacker.toObject(holder.toData(running));
    GenericRecord cancelled =
        stored.newBuilderWithClone().setString("state", JobState.CANCELLED.name()).build();

    Job read = holder.toObject(attacker.toData(cancelled));
    attacker.dispose();

    assertThat(read.forged()).isTrue();
    assertThat(read.params().values()).isEmpty();
    assertThat(((Job) holder.toObject(holder.toData(read))).forged()).isTrue();
    assertThat(((Job) holder.toObject(holder.toData(running))).forged()).isFalse();
  }

  @Test
  void outsider_cannotReadASealedTask_andReadsResultsAsForged() {
    Data chunk = holder.toData(chunk());
    assertThatThrownBy(() -> outsider.toObject(chunk))
        .isInstanceOf(HazelcastSerializationException.class)
        .hasMessageContaining("sealed under a cluster secret");
    assertThat(((TaskResult) outsider.toObject(holder.toData(result()))).forged()).isTrue();
  }

  @Test
  void aResultWrittenWithoutTheSecret_readsAsForged_andStaysForgedWhenWrittenAgain() {
    TaskResult planted = holder.toObject(outsider.toData(result()));
    assertThat(planted.forged()).isTrue();

    TaskResult again = holder.toObject(holder.toData(planted));

    assertThat(again.forged()).isTrue();
  }

  @Test
  void aSealedResultMovedToAnotherTask_readsAsForged() {
    TaskResult real = result();
    TaskResult moved =
        new TaskResult(
            real.jobId(),
            real.seq() + 1,
            real.firstIndex() + 2,
            real.count(),
            real.rangeStart(),
            real.items(),
            real.worker(),
            real.attempt(),
            real.elapsedNanos(),
            real.ok(),
            real.failed(),
            real.values(),
            real.errors(),
            real.consumed(),
            real.taskSignature());
    // An attacker without Crew's classes sees records as GenericRecords: it copies the sealed
    // bytes of one result under another task's clear fields.
    InternalSerializationService attacker = service(null, /* crewCodecs= */ false);
    GenericRecord sealed = attacker.toObject(holder.toData(real));
    GenericRecord target = attacker.toObject(holder.toData(moved));
    GenericRecord swapped =
        target
            .newBuilderWithClone()
            .setArrayOfInt8("sealed", sealed.getArrayOfInt8("sealed"))
            .build();

    TaskResult read = holder.toObject(attacker.toData(swapped));
    attacker.dispose();

    assertThat(read.forged()).isTrue();
  }
}
