package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.SerializationConstants;
import com.hazelcast.internal.serialization.impl.compact.Schema;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Round trips through a real Hazelcast serialization service configured exactly as members and
 * clients are.
 */
class CompactCodecsTest {

  /**
   * The schemas the service registered, by id: a member keeps these cluster-wide, here a map is
   * enough.
   */
  private static final Map<Long, Schema> SCHEMAS = new ConcurrentHashMap<>();

  private static InternalSerializationService serialization;

  @BeforeAll
  static void startSerialization() {
    serialization = TestSerialization.service(SCHEMAS, /* crewCodecs= */ true, null);
  }

  @AfterAll
  static void stopSerialization() {
    if (serialization != null) {
      serialization.dispose();
    }
  }

  private static <T> T roundTrip(T object) {
    Data data = serialization.toData(object);
    assertThat(data.getType())
        .as("serializer type id")
        .isEqualTo(SerializationConstants.TYPE_COMPACT);
    return serialization.toObject(data);
  }

  @Test
  void records_areNotJavaSerializable() {
    assertThat(Serializable.class.isAssignableFrom(Job.class)).isFalse();
    assertThat(Serializable.class.isAssignableFrom(TaskChunk.class)).isFalse();
    assertThat(Serializable.class.isAssignableFrom(TaskResult.class)).isFalse();
    assertThat(Serializable.class.isAssignableFrom(Params.class)).isFalse();
  }

  @Test
  void job_roundTrip() {
    Params params =
        Params.parse(List.of("timeout=250ms", "depth=3", "empty=", "url=http://h/?a=b"));
    Job job =
        new Job(
            "job-1",
            "http-get",
            Lane.IO,
            params,
            JobState.RUNNING,
            1_700_000_000_123L,
            1_000L,
            10L,
            2,
            30_000L,
            "c2lnbmF0dXJl");

    Job back = roundTrip(job);

    assertThat(back).isNotSameAs(job);
    assertThat(back.id()).isEqualTo("job-1");
    assertThat(back.task()).isEqualTo("http-get");
    assertThat(back.lane()).isEqualTo(Lane.IO);
    assertThat(back.params().values())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("timeout", "250ms", "depth", "3", "empty", "", "url", "http://h/?a=b"));
    assertThat(back.state()).isEqualTo(JobState.RUNNING);
    assertThat(back.createdMillis()).isEqualTo(1_700_000_000_123L);
    assertThat(back.totalItems()).isEqualTo(1_000L);
    assertThat(back.totalTasks()).isEqualTo(10L);
    assertThat(back.retries()).isEqualTo(2);
    assertThat(back.timeoutMillis()).isEqualTo(30_000L);
    assertThat(back.signature()).isEqualTo("c2lnbmF0dXJl");
    // Job has no array fields, so record equality is a full field-by-field check too.
    assertThat(back).isEqualTo(job);
  }

  @Test
  void job_retentionAndEndRoundTrip() {
    Job job =
        Job.submitting("j", "fib", Lane.CPU, Params.NONE, 42L)
            .withRetention(7_200_000)
            .withEnded(99L);

    Job back = roundTrip(job);

    assertThat(back.retentionMillis()).isEqualTo(7_200_000);
    assertThat(back.endedMillis()).isEqualTo(99L);
    assertThat(back).isEqualTo(job);
  }

  @Test
  void job_writtenBeforeRetentionReadsWithoutOne() {
    GenericRecord older =
        GenericRecordBuilder.compact("crew.Job")
            .setString("id", "old")
            .setString("task", "fib")
            .setString("lane", "cpu")
            .setArrayOfString("paramKeys", new String[0])
            .setArrayOfString("paramValues", new String[0])
            .setString("state", "DONE")
            .setInt64("createdMillis", 5L)
            .setInt64("totalItems", 1)
            .setInt64("totalTasks", 1)
            .setInt32("retries", 0)
            .setInt64("timeoutMillis", 0)
            .setString("signature", "")
            .setString("inputDigest", "")
            .build();

    Job back = serialization.toObject(serialization.toData(older));

    assertThat(back.id()).isEqualTo("old");
    assertThat(back.retentionMillis()).isZero();
    assertThat(back.endedMillis()).isZero();
    // The older layout is not Crew's schema today: leave only the current one for the other tests.
    SCHEMAS
        .values()
        .removeIf(
            schema ->
                schema.getField("endedMillis") == null && schema.getTypeName().equals("crew.Job"));
  }

  @Test
  void job_submittingWithoutParamsRoundTrip() {
    Job job = Job.submitting("j", "fib", Lane.CPU, Params.NONE, 42L);

    Job back = roundTrip(job);

    assertThat(back.params().values()).isEmpty();
    assertThat(back.state()).isEqualTo(JobState.SUBMITTING);
    assertThat(back.totalItems()).isEqualTo(-1);
    assertThat(back.totalTasks()).isEqualTo(-1);
    assertThat(back.totalsKnown()).isFalse();
    assertThat(back).isEqualTo(job);
  }

  @Test
  void taskChunk_rangeRoundTrip() {
    TaskChunk chunk = new TaskChunk("job-2", 17, 1_700, 100, 5_000_000_000L, null, 3);

    TaskChunk back = roundTrip(chunk);

    assertThat(back.jobId()).isEqualTo("job-2");
    assertThat(back.seq()).isEqualTo(17);
    assertThat(back.firstIndex()).isEqualTo(1_700);
    assertThat(back.count()).isEqualTo(100);
    assertThat(back.rangeStart()).isEqualTo(5_000_000_000L);
    assertThat(back.items()).isNull();
    assertThat(back.isRange()).isTrue();
    assertThat(back.attempt()).isEqualTo(3);
    assertThat(back.item(99)).isEqualTo("5000000099");
  }

  @Test
  void taskChunk_itemsRoundTrip() {
    String[] items = {"/tmp/a b.txt", "", "ünïcödé ✓", "http://x/?q=1&r=2"};
    TaskChunk chunk = TaskChunk.ofItems("job-3", 0, 0, items);

    TaskChunk back = roundTrip(chunk);

    assertThat(back.isRange()).isFalse();
    assertThat(back.count()).isEqualTo(4);
    assertThat(back.items()).containsExactly(items);
    assertThat(back.jobId()).isEqualTo("job-3");
    assertThat(back.attempt()).isZero();
  }

  @Test
  void taskResult_roundTripWithNullElements() {
    TaskChunk chunk = new TaskChunk("job-4", 5, 50, 3, 0, new String[] {"a", "b", "c"}, 1);
    TaskResult result =
        TaskResult.of(
            chunk,
            "worker-1",
            123_456_789L,
            new String[] {"1", null, "\"x\""},
            new String[] {null, "bad item", null});

    TaskResult back = roundTrip(result);

    assertThat(back.jobId()).isEqualTo("job-4");
    assertThat(back.seq()).isEqualTo(5);
    assertThat(back.firstIndex()).isEqualTo(50);
    assertThat(back.count()).isEqualTo(3);
    assertThat(back.rangeStart()).isZero();
    assertThat(back.items()).containsExactly("a", "b", "c");
    assertThat(back.worker()).isEqualTo("worker-1");
    assertThat(back.attempt()).isEqualTo(1);
    assertThat(back.elapsedNanos()).isEqualTo(123_456_789L);
    assertThat(back.ok()).isEqualTo(2);
    assertThat(back.failed()).isEqualTo(1);
    assertThat(back.values()).containsExactly("1", null, "\"x\"");
    assertThat(back.errors()).containsExactly(null, "bad item", null);
    assertThat(back.consumed()).isFalse();
  }

  @Test
  void taskResult_rangeRoundTrip() {
    TaskChunk chunk = TaskChunk.ofRange("job-5", 1, 10, 1_000, 2);
    TaskResult result =
        TaskResult.of(chunk, "w", 1L, new String[] {"10", "20"}, new String[] {null, null});

    TaskResult back = roundTrip(result);

    assertThat(back.items()).isNull();
    assertThat(back.rangeStart()).isEqualTo(1_000);
    assertThat(back.item(1)).isEqualTo("1001");
    assertThat(back.values()).containsExactly("10", "20");
    assertThat(back.errors()).containsExactly(null, null);
  }

  @Test
  void taskResult_consumedRoundTrip() {
    TaskChunk chunk =
        TaskChunk.ofItems("job-6", 2, 20, new String[] {"a", "b"}).withSignature("sig-of-task");
    TaskResult consumed =
        TaskResult.of(chunk, "w2", 9L, new String[] {null, "1"}, new String[] {"e", null})
            .asConsumed();

    TaskResult back = roundTrip(consumed);

    assertThat(back.consumed()).isTrue();
    assertThat(back.items()).containsExactly("a", "b"); // kept: the task has a failure
    assertThat(back.values()).isNull();
    assertThat(back.errors()).containsExactly("e", null);
    assertThat(back.ok()).isEqualTo(1);
    assertThat(back.failed()).isEqualTo(1);
    assertThat(back.count()).isEqualTo(2);
    assertThat(back.worker()).isEqualTo("w2");
    assertThat(back.seq()).isEqualTo(2);
    assertThat(back.firstIndex()).isEqualTo(20);
    assertThat(back.taskSignature()).isEqualTo("sig-of-task"); // what retry verifies
  }

  @Test
  void schemas_useCrewTypeNamesNotReflection() {
    roundTrip(Job.submitting("j", "fib", Lane.CPU, Params.NONE, 1L));
    Job abandoned =
        Job.submitting("j", "fib", Lane.CPU, Params.NONE, 1L)
            .withInputDigest("digest")
            .withState(JobState.ABANDONED);
    assertThat(roundTrip(abandoned)).isEqualTo(abandoned);
    roundTrip(TaskChunk.ofRange("j", 0, 0, 0, 1));
    TaskChunk one = TaskChunk.ofRange("j", 0, 0, 0, 1);
    roundTrip(TaskResult.of(one, "w", 0L, new String[] {"0"}, new String[] {null}));

    assertThat(SCHEMAS.values())
        .extracting(Schema::getTypeName)
        .contains("crew.Job", "crew.TaskChunk", "crew.TaskResult")
        .allSatisfy(name -> assertThat(name).startsWith("crew."));
    Schema jobSchema =
        SCHEMAS.values().stream()
            .filter(s -> s.getTypeName().equals("crew.Job"))
            .findFirst()
            .orElseThrow();
    assertThat(jobSchema.getFieldNames())
        .containsExactlyInAnyOrder(
            "id",
            "task",
            "lane",
            "paramKeys",
            "paramValues",
            "state",
            "createdMillis",
            "totalItems",
            "totalTasks",
            "retries",
            "timeoutMillis",
            "signature",
            "inputDigest",
            "retentionMillis",
            "endedMillis",
            "thenTasks",
            "thenLanes",
            "thenParamCounts",
            "thenParamKeys",
            "thenParamValues",
            "sealed");
  }
}
