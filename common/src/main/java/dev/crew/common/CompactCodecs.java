package dev.crew.common;

import static java.util.Objects.requireNonNullElse;

import com.hazelcast.config.CompactSerializationConfig;
import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hazelcast Compact serializers for every object Crew stores or sends; the only wire format we use.
 *
 * <p>Explicit serializers rather than reflection: the field names are the schema, readable in the
 * cluster's SQL and predicates, and they stay stable if a record's Java shape changes.
 */
public final class CompactCodecs {
  private CompactCodecs() {}

  /** Adds Crew's serializers to a member's or a client's serialization config. */
  public static void register(CompactSerializationConfig config) {
    config.addSerializer(new JobCodec());
    config.addSerializer(new TaskChunkCodec());
    config.addSerializer(new TaskResultCodec());
    config.addSerializer(new ResultBudgetCodec());
    config.addSerializer(new StatsCodecs.WorkerStatsCodec());
    config.addSerializer(new StatsCodecs.CrewEventCodec());
  }

  static final class ResultBudgetCodec implements CompactSerializer<ResultBudget> {
    @Override
    public ResultBudget read(CompactReader in) {
      return new ResultBudget(
          in.readString("jobId"), in.readInt64("limitBytes"), in.readBoolean("keepResults"));
    }

    @Override
    public void write(CompactWriter out, ResultBudget budget) {
      out.writeString("jobId", budget.jobId());
      out.writeInt64("limitBytes", budget.limitBytes());
      out.writeBoolean("keepResults", budget.keepResults());
    }

    @Override
    public String getTypeName() {
      return "crew.ResultBudget";
    }

    @Override
    public Class<ResultBudget> getCompactClass() {
      return ResultBudget.class;
    }
  }

  static final class JobCodec implements CompactSerializer<Job> {
    @Override
    public Job read(CompactReader in) {
      String[] keys = in.readArrayOfString("paramKeys");
      String[] vals = in.readArrayOfString("paramValues");
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < keys.length; i++) {
        params.put(keys[i], vals[i]);
      }
      return new Job(
          in.readString("id"),
          in.readString("task"),
          Lane.parse(in.readString("lane")),
          new Params(params),
          JobState.valueOf(in.readString("state")),
          in.readInt64("createdMillis"),
          in.readInt64("totalItems"),
          in.readInt64("totalTasks"),
          in.readInt32("retries"),
          in.readInt64("timeoutMillis"),
          in.readString("signature"),
          in.readString("inputDigest"),
          optionalInt64(in, "retentionMillis"),
          optionalInt64(in, "endedMillis"));
    }

    /** A field records written before it existed lack: 0 for them. */
    private static long optionalInt64(CompactReader in, String field) {
      return in.getFieldKind(field) == FieldKind.INT64 ? in.readInt64(field) : 0;
    }

    @Override
    public void write(CompactWriter out, Job job) {
      out.writeString("id", job.id());
      out.writeString("task", job.task());
      out.writeString("lane", job.lane().id());
      out.writeArrayOfString("paramKeys", job.params().values().keySet().toArray(String[]::new));
      out.writeArrayOfString("paramValues", job.params().values().values().toArray(String[]::new));
      out.writeString("state", job.state().name());
      out.writeInt64("createdMillis", job.createdMillis());
      out.writeInt64("totalItems", job.totalItems());
      out.writeInt64("totalTasks", job.totalTasks());
      out.writeInt32("retries", job.retries());
      out.writeInt64("timeoutMillis", job.timeoutMillis());
      out.writeString("signature", job.signature());
      out.writeString("inputDigest", job.inputDigest());
      out.writeInt64("retentionMillis", job.retentionMillis());
      out.writeInt64("endedMillis", job.endedMillis());
    }

    @Override
    public String getTypeName() {
      return "crew.Job";
    }

    @Override
    public Class<Job> getCompactClass() {
      return Job.class;
    }
  }

  static final class TaskChunkCodec implements CompactSerializer<TaskChunk> {
    @Override
    public TaskChunk read(CompactReader in) {
      return new TaskChunk(
          in.readString("jobId"),
          in.readInt64("seq"),
          in.readInt64("firstIndex"),
          in.readInt32("count"),
          in.readInt64("rangeStart"),
          in.readArrayOfString("items"),
          in.readInt32("attempt"),
          in.readString("signature"));
    }

    @Override
    public void write(CompactWriter out, TaskChunk chunk) {
      out.writeString("jobId", chunk.jobId());
      out.writeInt64("seq", chunk.seq());
      out.writeInt64("firstIndex", chunk.firstIndex());
      out.writeInt32("count", chunk.count());
      out.writeInt64("rangeStart", chunk.rangeStart());
      out.writeArrayOfString("items", chunk.items());
      out.writeInt32("attempt", chunk.attempt());
      out.writeString("signature", chunk.signature());
    }

    @Override
    public String getTypeName() {
      return "crew.TaskChunk";
    }

    @Override
    public Class<TaskChunk> getCompactClass() {
      return TaskChunk.class;
    }
  }

  static final class TaskResultCodec implements CompactSerializer<TaskResult> {
    @Override
    public TaskResult read(CompactReader in) {
      return new TaskResult(
          in.readString("jobId"),
          in.readInt64("seq"),
          in.readInt64("firstIndex"),
          in.readInt32("count"),
          in.readInt64("rangeStart"),
          in.readArrayOfString("items"),
          in.readString("worker"),
          in.readInt32("attempt"),
          in.readInt64("elapsedNanos"),
          in.readInt32("ok"),
          in.readInt32("failed"),
          in.readArrayOfString("values"),
          in.readArrayOfString("errors"),
          in.readBoolean("consumed"),
          // Results recorded before tasks' signatures were kept have none: retry refuses them.
          in.getFieldKind("taskSignature") == FieldKind.STRING
              ? requireNonNullElse(in.readString("taskSignature"), "")
              : "");
    }

    @Override
    public void write(CompactWriter out, TaskResult result) {
      out.writeString("jobId", result.jobId());
      out.writeInt64("seq", result.seq());
      out.writeInt64("firstIndex", result.firstIndex());
      out.writeInt32("count", result.count());
      out.writeInt64("rangeStart", result.rangeStart());
      out.writeArrayOfString("items", result.items());
      out.writeString("worker", result.worker());
      out.writeInt32("attempt", result.attempt());
      out.writeInt64("elapsedNanos", result.elapsedNanos());
      out.writeInt32("ok", result.ok());
      out.writeInt32("failed", result.failed());
      out.writeArrayOfString("values", result.values());
      out.writeArrayOfString("errors", result.errors());
      out.writeBoolean("consumed", result.consumed());
      out.writeString("taskSignature", result.taskSignature());
      // Derived, never read back: written so that the members can sum what each job holds unread.
      out.writeInt64("heldBytes", result.heldBytes());
    }

    @Override
    public String getTypeName() {
      return "crew.TaskResult";
    }

    @Override
    public Class<TaskResult> getCompactClass() {
      return TaskResult.class;
    }
  }
}
