package dev.crew.common;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Compact serializers of what workers publish about themselves: {@link WorkerStats} and {@link
 * CrewEvent}.
 */
final class StatsCodecs {
  private StatsCodecs() {}

  static final class WorkerStatsCodec implements CompactSerializer<WorkerStats> {
    @Override
    public WorkerStats read(CompactReader in) {
      return new WorkerStats(
          in.readString("name"),
          in.readString("host"),
          in.readInt32("cores"),
          in.readInt32("cpuSlots"),
          in.readInt32("cpuBusy"),
          in.readInt32("ioSlots"),
          in.readInt32("ioBusy"),
          in.getFieldKind("ioAdaptive") == FieldKind.BOOLEAN && in.readBoolean("ioAdaptive"),
          in.readInt64("itemsOk"),
          in.readInt64("itemsFailed"),
          in.readInt64("tasksDone"),
          in.readFloat64("itemsPerSecond"),
          in.readInt64("requeues"),
          in.readInt64("refusals"),
          in.readInt64("duplicates"),
          in.readInt64("startedMillis"),
          in.readInt64("updatedMillis"),
          jobs(in),
          ioKeys(in));
    }

    /** The io lane's key limits; none from a worker that predates them. */
    private static List<WorkerStats.KeyLimit> ioKeys(CompactReader in) {
      if (in.getFieldKind("ioKeys") != FieldKind.ARRAY_OF_STRING) {
        return List.of();
      }
      String[] keys = in.readArrayOfString("ioKeys");
      int[] limits = in.readArrayOfInt32("ioKeyLimits");
      int[] busy = in.readArrayOfInt32("ioKeyBusy");
      List<WorkerStats.KeyLimit> read = new ArrayList<>(keys.length);
      for (int i = 0; i < keys.length; i++) {
        read.add(new WorkerStats.KeyLimit(keys[i], limits[i], busy[i]));
      }
      return read;
    }

    private static List<WorkerStats.JobDone> jobs(CompactReader in) {
      String[] ids = in.readArrayOfString("jobIds");
      long[] ok = in.readArrayOfInt64("jobOk");
      long[] failed = in.readArrayOfInt64("jobFailed");
      long[] tasks = in.readArrayOfInt64("jobTasks");
      List<WorkerStats.JobDone> jobs = new ArrayList<>(ids.length);
      for (int i = 0; i < ids.length; i++) {
        jobs.add(new WorkerStats.JobDone(ids[i], ok[i], failed[i], tasks[i]));
      }
      return jobs;
    }

    @Override
    public void write(CompactWriter out, WorkerStats s) {
      out.writeString("name", s.name());
      out.writeString("host", s.host());
      out.writeInt32("cores", s.cores());
      out.writeInt32("cpuSlots", s.cpuSlots());
      out.writeInt32("cpuBusy", s.cpuBusy());
      out.writeInt32("ioSlots", s.ioSlots());
      out.writeInt32("ioBusy", s.ioBusy());
      out.writeBoolean("ioAdaptive", s.ioAdaptive());
      out.writeInt64("itemsOk", s.itemsOk());
      out.writeInt64("itemsFailed", s.itemsFailed());
      out.writeInt64("tasksDone", s.tasksDone());
      out.writeFloat64("itemsPerSecond", s.itemsPerSecond());
      out.writeInt64("requeues", s.requeues());
      out.writeInt64("refusals", s.refusals());
      out.writeInt64("duplicates", s.duplicates());
      out.writeInt64("startedMillis", s.startedMillis());
      out.writeInt64("updatedMillis", s.updatedMillis());
      out.writeArrayOfString(
          "jobIds", s.jobs().stream().map(WorkerStats.JobDone::jobId).toArray(String[]::new));
      out.writeArrayOfInt64(
          "jobOk", s.jobs().stream().mapToLong(WorkerStats.JobDone::ok).toArray());
      out.writeArrayOfInt64(
          "jobFailed", s.jobs().stream().mapToLong(WorkerStats.JobDone::failed).toArray());
      out.writeArrayOfInt64(
          "jobTasks", s.jobs().stream().mapToLong(WorkerStats.JobDone::tasks).toArray());
      out.writeArrayOfString(
          "ioKeys", s.ioKeys().stream().map(WorkerStats.KeyLimit::key).toArray(String[]::new));
      out.writeArrayOfInt32(
          "ioKeyLimits", s.ioKeys().stream().mapToInt(WorkerStats.KeyLimit::limit).toArray());
      out.writeArrayOfInt32(
          "ioKeyBusy", s.ioKeys().stream().mapToInt(WorkerStats.KeyLimit::busy).toArray());
    }

    @Override
    public String getTypeName() {
      return "crew.WorkerStats";
    }

    @Override
    public Class<WorkerStats> getCompactClass() {
      return WorkerStats.class;
    }
  }

  static final class CrewEventCodec implements CompactSerializer<CrewEvent> {
    @Override
    public CrewEvent read(CompactReader in) {
      return new CrewEvent(
          in.readInt64("millis"),
          in.readString("worker"),
          CrewEvent.Kind.valueOf(in.readString("kind")),
          in.readString("detail"),
          in.readInt32("count"));
    }

    @Override
    public void write(CompactWriter out, CrewEvent event) {
      out.writeInt64("millis", event.millis());
      out.writeString("worker", event.worker());
      out.writeString("kind", event.kind().name());
      out.writeString("detail", event.detail());
      out.writeInt32("count", event.count());
    }

    @Override
    public String getTypeName() {
      return "crew.CrewEvent";
    }

    @Override
    public Class<CrewEvent> getCompactClass() {
      return CrewEvent.class;
    }
  }
}
