package dev.crew.common;

import static java.util.Objects.requireNonNullElse;

import com.hazelcast.config.CompactSerializationConfig;
import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Hazelcast Compact serializers for every object Crew stores or sends; the only wire format we use.
 *
 * <p>Explicit serializers rather than reflection: the field names are the schema, readable in the
 * cluster's SQL and predicates, and they stay stable if a record's Java shape changes.
 *
 * <p>With a cluster secret, what a user submits and gets back (a job's parameters, a task's items,
 * a result's items, values and errors) is written as one sealed field ({@link Sealer}) bound to the
 * record's clear fields, so a member or client without the secret reads ids and counts only. Every
 * write seals afresh, so a member that moves a task on (claims it, puts it back) re-seals it.
 */
public final class CompactCodecs {
  private CompactCodecs() {}

  /** The sealed field of a record, if it has one (records written before sealing have none). */
  /** A string field that records written before it existed (or by others) lack: empty then. */
  private static String text(CompactReader in, String field) {
    String value = in.getFieldKind(field) == FieldKind.STRING ? in.readString(field) : null;
    return value == null ? "" : value;
  }

  private static byte @Nullable [] sealedField(CompactReader in) {
    return in.getFieldKind("sealed") == FieldKind.ARRAY_OF_INT8
        ? in.readArrayOfInt8("sealed")
        : null;
  }

  /** Adds Crew's serializers to the serialization config of a process without a secret. */
  public static void register(CompactSerializationConfig config) {
    register(config, null);
  }

  /**
   * Adds Crew's serializers to a member's or a client's serialization config: with {@code sealer},
   * items, parameters and results are sealed when written and opened when read, and a value that
   * does not open reads as forged.
   */
  public static void register(CompactSerializationConfig config, @Nullable Sealer sealer) {
    config.addSerializer(new JobCodec(sealer));
    config.addSerializer(new TaskChunkCodec(sealer));
    config.addSerializer(new TaskResultCodec(sealer));
    config.addSerializer(new ResultBudgetCodec());
    config.addSerializer(new StatsCodecs.WorkerStatsCodec());
    config.addSerializer(new StatsCodecs.CrewEventCodec());
    config.addSerializer(new NewestJobs.Codec());
    config.addSerializer(new NewestJobs.NewestCodec());
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
    private final @Nullable Sealer sealer;

    JobCodec(@Nullable Sealer sealer) {
      this.sealer = sealer;
    }

    /**
     * What a job's sealed parameters are bound to: every other field of it (a pipeline's further
     * stages only where it has some, so that jobs of one stage open as before there were any).
     */
    private static byte[] context(Job job) {
      Object[] parts = {
        "job",
        job.id(),
        job.task(),
        job.lane().id(),
        job.state().name(),
        job.createdMillis(),
        job.totalItems(),
        job.totalTasks(),
        job.retries(),
        job.timeoutMillis(),
        job.signature(),
        job.inputDigest(),
        job.retentionMillis(),
        job.endedMillis()
      };
      if (job.then().isEmpty()) {
        return Sealer.context(parts);
      }
      Stream<Object> stages =
          job.then().stream().map(st -> "stage " + st.task() + " on " + st.lane().id());
      return Sealer.context(Stream.concat(Stream.of(parts), stages).toArray());
    }

    @Override
    public Job read(CompactReader in) {
      Job clear =
          new Job(
              in.readString("id"),
              in.readString("task"),
              Lane.parse(in.readString("lane")),
              Params.NONE,
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
      String[] keys = in.readArrayOfString("paramKeys");
      String[] vals = in.readArrayOfString("paramValues");
      String[] thenTasks = optionalTexts(in, "thenTasks");
      String[] thenLanes = optionalTexts(in, "thenLanes");
      int[] thenCounts =
          in.getFieldKind("thenParamCounts") == FieldKind.ARRAY_OF_INT32
              ? in.readArrayOfInt32("thenParamCounts")
              : new int[0];
      String[] thenKeys = optionalTexts(in, "thenParamKeys");
      String[] thenVals = optionalTexts(in, "thenParamValues");
      List<Stage> clearThen;
      try {
        clearThen = stages(thenTasks, thenLanes, thenCounts, new String[0], new String[0]);
      } catch (IllegalArgumentException e) {
        return clear.withSignature(Job.FORGED); // stages no submitter wrote
      }
      clear = clear.withThen(clearThen);
      byte[] sealed = sealedField(in);
      if (sealer != null || sealed != null) {
        int arrays = clearThen.isEmpty() ? 2 : 4;
        String[][] opened =
            sealer == null || sealed == null
                ? null
                : sealer.openStrings(sealed, context(clear), arrays);
        if (opened == null || opened[0] == null || opened[1] == null) {
          // Made or changed by a party without the secret: nothing in it is to be acted on.
          return clear.withSignature(Job.FORGED);
        }
        keys = opened[0];
        vals = opened[1];
        if (arrays == 4) {
          thenKeys = opened[2] == null ? new String[0] : opened[2];
          thenVals = opened[3] == null ? new String[0] : opened[3];
        }
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < keys.length && i < vals.length; i++) {
        params.put(keys[i], vals[i]);
      }
      try {
        return clear
            .withParams(new Params(params))
            .withThen(stages(thenTasks, thenLanes, thenCounts, thenKeys, thenVals));
      } catch (IllegalArgumentException e) {
        return clear.withSignature(Job.FORGED);
      }
    }

    private static String[] optionalTexts(CompactReader in, String field) {
      String[] texts =
          in.getFieldKind(field) == FieldKind.ARRAY_OF_STRING ? in.readArrayOfString(field) : null;
      return texts == null ? new String[0] : texts;
    }

    /** A pipeline's further stages from their columns; the parameters laid end to end. */
    private static List<Stage> stages(
        String[] tasks, String[] lanes, int[] counts, String[] keys, String[] vals) {
      if (lanes.length != tasks.length) {
        throw new IllegalArgumentException("stages and lanes differ in number");
      }
      List<Stage> stages = new ArrayList<>(tasks.length);
      int at = 0;
      for (int i = 0; i < tasks.length; i++) {
        Map<String, String> params = new LinkedHashMap<>();
        int count = i < counts.length ? counts[i] : 0;
        for (int k = 0; k < count && at < keys.length && at < vals.length; k++, at++) {
          params.put(keys[at], vals[at]);
        }
        stages.add(new Stage(tasks[i], Lane.parse(lanes[i]), new Params(params)));
      }
      return stages;
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
      String[] keys = job.params().values().keySet().toArray(String[]::new);
      String[] vals = job.params().values().values().toArray(String[]::new);
      boolean seal = sealer != null;
      out.writeArrayOfString("paramKeys", seal ? new String[0] : keys);
      out.writeArrayOfString("paramValues", seal ? new String[0] : vals);
      List<String> thenKeys = new ArrayList<>();
      List<String> thenVals = new ArrayList<>();
      int[] thenCounts = new int[job.then().size()];
      for (int i = 0; i < thenCounts.length; i++) {
        Map<String, String> stageParams = job.then().get(i).params().values();
        thenCounts[i] = stageParams.size();
        thenKeys.addAll(stageParams.keySet());
        thenVals.addAll(stageParams.values());
      }
      out.writeArrayOfString(
          "thenTasks", job.then().stream().map(Stage::task).toArray(String[]::new));
      out.writeArrayOfString(
          "thenLanes", job.then().stream().map(st -> st.lane().id()).toArray(String[]::new));
      out.writeArrayOfInt32("thenParamCounts", thenCounts);
      out.writeArrayOfString(
          "thenParamKeys", seal ? new String[0] : thenKeys.toArray(String[]::new));
      out.writeArrayOfString(
          "thenParamValues", seal ? new String[0] : thenVals.toArray(String[]::new));
      // A forged record stays one: written without a seal, it reads as forged again.
      out.writeArrayOfInt8(
          "sealed",
          sealer != null && !job.forged()
              ? sealer.sealStrings(
                  context(job),
                  job.then().isEmpty()
                      ? new String[][] {keys, vals}
                      : new String[][] {
                        keys, vals, thenKeys.toArray(String[]::new), thenVals.toArray(String[]::new)
                      })
              : null);
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
    private final @Nullable Sealer sealer;

    TaskChunkCodec(@Nullable Sealer sealer) {
      this.sealer = sealer;
    }

    /**
     * What a task's sealed items are bound to: every other field of it (the stage only for a later
     * stage, so that tasks of first stages open as before there were any).
     */
    private static byte[] context(TaskChunk chunk) {
      Object[] parts = {
        "task",
        chunk.jobId(),
        chunk.seq(),
        chunk.firstIndex(),
        chunk.count(),
        chunk.rangeStart(),
        chunk.attempt(),
        chunk.signature()
      };
      return Sealer.context(
          chunk.stage() > 0
              ? Stream.concat(Stream.of(parts), Stream.of("stage " + chunk.stage())).toArray()
              : parts);
    }

    @Override
    public TaskChunk read(CompactReader in) {
      String[] items = in.readArrayOfString("items");
      TaskChunk clear =
          new TaskChunk(
              in.readString("jobId"),
              in.readInt64("seq"),
              in.readInt64("firstIndex"),
              in.readInt32("count"),
              in.readInt64("rangeStart"),
              null,
              in.readInt32("attempt"),
              in.readString("signature"),
              text(in, "target"),
              text(in, "targetWorker"),
              in.getFieldKind("stage") == FieldKind.INT32 ? Math.max(0, in.readInt32("stage")) : 0,
              null);
      String[] carried =
          in.getFieldKind("carried") == FieldKind.ARRAY_OF_STRING
              ? in.readArrayOfString("carried")
              : null;
      String[] earlier =
          in.getFieldKind("earlier") == FieldKind.ARRAY_OF_STRING
              ? in.readArrayOfString("earlier")
              : null;
      byte[] sealed = sealedField(in);
      if (sealed != null && sealer == null) {
        // Read as a range it would run other items: a process without the secret must not.
        throw new HazelcastSerializationException(
            "task " + clear.taskId() + " is sealed under a cluster secret not given here");
      }
      if (sealer == null || (sealed == null && items == null)) {
        return withTexts(clear, items, carried, earlier);
      }
      int arrays = clear.stage() > 0 ? 3 : 1;
      String[][] opened =
          sealed == null ? null : sealer.openStrings(sealed, context(clear), arrays);
      // Not sealed by a holder of the secret: no items, and no signature to run it by.
      return opened == null
          ? clear.withSignature("")
          : withTexts(
              clear, opened[0], arrays > 1 ? opened[1] : null, arrays > 2 ? opened[2] : null);
    }

    /** {@code clear} with its items and carried errors, or without where they do not fit it. */
    private static TaskChunk withTexts(
        TaskChunk clear,
        String @Nullable [] items,
        @Nullable String @Nullable [] carried,
        @Nullable String @Nullable [] earlier) {
      TaskChunk task = items == null ? clear : clear.withItems(items);
      if (carried != null && carried.length != task.count()) {
        carried = null;
      }
      if (earlier != null && earlier.length != (long) task.count() * task.stage()) {
        earlier = null;
      }
      if (carried == null && earlier == null) {
        return task;
      }
      return new TaskChunk(
          task.jobId(),
          task.seq(),
          task.firstIndex(),
          task.count(),
          task.rangeStart(),
          task.items(),
          task.attempt(),
          task.signature(),
          task.target(),
          task.targetWorker(),
          task.stage(),
          carried,
          earlier);
    }

    @Override
    public void write(CompactWriter out, TaskChunk chunk) {
      out.writeString("jobId", chunk.jobId());
      out.writeInt64("seq", chunk.seq());
      out.writeInt64("firstIndex", chunk.firstIndex());
      out.writeInt32("count", chunk.count());
      out.writeInt64("rangeStart", chunk.rangeStart());
      boolean seal = sealer != null && chunk.items() != null;
      out.writeArrayOfString("items", seal ? null : chunk.items());
      out.writeArrayOfString("carried", seal ? null : chunk.carried());
      out.writeArrayOfString("earlier", seal ? null : chunk.earlier());
      out.writeArrayOfInt8(
          "sealed",
          sealer != null && seal
              ? sealer.sealStrings(
                  context(chunk),
                  chunk.stage() > 0
                      ? new String[][] {chunk.items(), chunk.carried(), chunk.earlier()}
                      : new String[][] {chunk.items()})
              : null);
      out.writeInt32("stage", chunk.stage());
      out.writeInt32("attempt", chunk.attempt());
      out.writeString("signature", chunk.signature());
      out.writeString("target", chunk.target());
      out.writeString("targetWorker", chunk.targetWorker());
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
    private final @Nullable Sealer sealer;

    TaskResultCodec(@Nullable Sealer sealer) {
      this.sealer = sealer;
    }

    /** What a result's sealed texts are bound to: every other field of it. */
    private static byte[] context(TaskResult result) {
      Object[] parts = {
        "result",
        result.jobId(),
        result.seq(),
        result.firstIndex(),
        result.count(),
        result.rangeStart(),
        result.worker(),
        result.attempt(),
        result.elapsedNanos(),
        result.ok(),
        result.failed(),
        result.consumed(),
        result.taskSignature()
      };
      // Bound only where measured (and for a later stage), so that results written before the
      // fields open as before.
      Stream<Object> all = Stream.of(parts);
      if (result.cpuNanos() > 0) {
        all = Stream.concat(all, Stream.of(result.cpuNanos()));
      }
      if (result.stage() > 0) {
        all = Stream.concat(all, Stream.of("stage " + result.stage()));
      }
      return Sealer.context(all.toArray());
    }

    @Override
    public TaskResult read(CompactReader in) {
      String jobId = in.readString("jobId");
      long seq = in.readInt64("seq");
      long firstIndex = in.readInt64("firstIndex");
      int count = in.readInt32("count");
      String worker = in.readString("worker");
      int attempt = in.readInt32("attempt");
      int ok = in.readInt32("ok");
      int failed = in.readInt32("failed");
      boolean consumed = in.readBoolean("consumed");
      String[] items = in.readArrayOfString("items");
      String[] values = in.readArrayOfString("values");
      String[] errors = in.readArrayOfString("errors");
      String[] earlier =
          in.getFieldKind("earlier") == FieldKind.ARRAY_OF_STRING
              ? in.readArrayOfString("earlier")
              : null;
      byte[] sealed = sealedField(in);
      if (sealer != null || sealed != null) {
        if (sealer == null || sealed == null) {
          return forged(jobId, seq, firstIndex, count, worker, attempt, consumed);
        }
        // The clear fields, read into a result only to name its context.
        TaskResult clear;
        try {
          clear =
              new TaskResult(
                  jobId,
                  seq,
                  firstIndex,
                  count,
                  in.readInt64("rangeStart"),
                  null,
                  worker,
                  attempt,
                  in.readInt64("elapsedNanos"),
                  ok,
                  failed,
                  new String[count],
                  new String[count],
                  consumed,
                  taskSignature(in),
                  false,
                  cpuNanos(in),
                  stage(in));
        } catch (IllegalArgumentException e) {
          return forged(jobId, seq, firstIndex, count, worker, attempt, consumed); // counts that
          // no worker wrote
        }
        String[][] opened = sealer.openStrings(sealed, context(clear), clear.stage() > 0 ? 4 : 3);
        if (opened == null) {
          return forged(jobId, seq, firstIndex, count, worker, attempt, consumed);
        }
        items = opened[0];
        values = opened[1];
        errors = opened[2];
        earlier = clear.stage() > 0 ? opened[3] : null;
      }
      return new TaskResult(
          jobId,
          seq,
          firstIndex,
          count,
          in.readInt64("rangeStart"),
          items,
          worker,
          attempt,
          in.readInt64("elapsedNanos"),
          ok,
          failed,
          values,
          errors,
          consumed,
          taskSignature(in),
          false,
          cpuNanos(in),
          stage(in),
          earlier == null || earlier.length != (long) count * stage(in) ? null : earlier);
    }

    /** Results of first stages, and those written before pipelines, have none: 0. */
    private static int stage(CompactReader in) {
      return in.getFieldKind("stage") == FieldKind.INT32 ? Math.max(0, in.readInt32("stage")) : 0;
    }

    /** Results written before workers measured CPU time have none. */
    private static long cpuNanos(CompactReader in) {
      return in.getFieldKind("cpuNanos") == FieldKind.INT64
          ? Math.max(0, in.readInt64("cpuNanos"))
          : 0;
    }

    /** Results recorded before tasks' signatures were kept have none: retry refuses them. */
    private static String taskSignature(CompactReader in) {
      return in.getFieldKind("taskSignature") == FieldKind.STRING
          ? requireNonNullElse(in.readString("taskSignature"), "")
          : "";
    }

    private static TaskResult forged(
        String jobId,
        long seq,
        long firstIndex,
        int count,
        String worker,
        int attempt,
        boolean consumed) {
      int items = Math.max(0, count);
      return TaskResult.forged(
          jobId, seq, Math.max(0, firstIndex), items, worker, attempt, 0, items, consumed);
    }

    @Override
    public void write(CompactWriter out, TaskResult result) {
      out.writeString("jobId", result.jobId());
      out.writeInt64("seq", result.seq());
      out.writeInt64("firstIndex", result.firstIndex());
      out.writeInt32("count", result.count());
      out.writeInt64("rangeStart", result.rangeStart());
      out.writeString("worker", result.worker());
      out.writeInt32("attempt", result.attempt());
      out.writeInt64("elapsedNanos", result.elapsedNanos());
      out.writeInt32("ok", result.ok());
      out.writeInt32("failed", result.failed());
      out.writeBoolean("consumed", result.consumed());
      out.writeString("taskSignature", result.taskSignature());
      out.writeInt64("cpuNanos", result.cpuNanos());
      out.writeInt32("stage", result.stage());
      boolean seal = sealer != null;
      out.writeArrayOfString("items", seal ? null : result.items());
      out.writeArrayOfString("values", seal ? null : result.values());
      out.writeArrayOfString("errors", seal ? null : result.errors());
      out.writeArrayOfString("earlier", seal ? null : result.earlier());
      // A forged result stays one: written without a seal, it reads as forged again.
      out.writeArrayOfInt8(
          "sealed",
          sealer != null && !result.forged()
              ? sealer.sealStrings(
                  context(result),
                  result.stage() > 0
                      ? new String[][] {
                        result.items(), result.values(), result.errors(), result.earlier()
                      }
                      : new String[][] {result.items(), result.values(), result.errors()})
              : null);
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
