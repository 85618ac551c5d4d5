package dev.crew.common;

import com.hazelcast.aggregation.Aggregator;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.query.impl.Extractable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Runs on the members: the ids of the {@code limit} newest jobs in the jobs map, and how many
 * entries are jobs and how many are foreign (not a job under its own id, not deserializable, or,
 * among the newest, a record that does not verify under the members' secret). Each member keeps
 * only the newest {@code limit} of its own entries, so a view of the newest 50 of 20,000 stored
 * jobs moves 50 ids to the client, not 20,000 records. The ids are only pointers: the reader
 * fetches those records and reads them as it reads any record.
 */
public final class NewestJobs implements Aggregator<Map.Entry<Object, Object>, NewestJobs.Newest> {

  /** The newest jobs' ids, newest first, and the counts of the entries seen. */
  public record Newest(List<String> ids, long jobs, long foreign) {
    public Newest {
      ids = List.copyOf(ids);
    }
  }

  private record Stamp(String id, long createdMillis) {}

  /** Oldest first, so the heap's head is the one to drop; equal times ordered by id. */
  private static final Comparator<Stamp> OLDEST_FIRST =
      Comparator.comparingLong(Stamp::createdMillis)
          .thenComparing(Stamp::id, Comparator.reverseOrder());

  private final int limit;
  private final PriorityQueue<Stamp> newest = new PriorityQueue<>(OLDEST_FIRST);
  private long jobs;
  private long foreign;

  public NewestJobs(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, not " + limit);
    }
    this.limit = limit;
  }

  /**
   * Reads two fields of the entry's stored form (its id and creation time) and opens the record
   * only when it would be among the newest kept: the seal of each of 20,000 records cost a member
   * just started about half a second. A record among the newest that does not verify under the
   * members' secret (or is no job after all) is counted as foreign, not kept.
   */
  @Override
  public void accumulate(Map.Entry<Object, Object> entry) {
    try {
      if (!(entry.getKey() instanceof String id)) {
        foreign++;
        return;
      }
      long created;
      if (entry instanceof Extractable fields) {
        if (!(fields.getAttributeValue("id") instanceof String stored)
            || !stored.equals(id)
            || !(fields.getAttributeValue("createdMillis") instanceof Long at)) {
          foreign++;
          return;
        }
        created = at;
      } else {
        Optional<Job> job = JobRecords.asJob(id, entry.getValue());
        if (job.isEmpty()) {
          foreign++;
          return;
        }
        created = job.get().createdMillis();
      }
      Stamp stamp = new Stamp(id, created);
      if (newest.size() >= limit && OLDEST_FIRST.compare(stamp, newest.peek()) <= 0) {
        jobs++; // older than every one kept: not shown, so not opened
        return;
      }
      if (JobRecords.asJob(id, entry.getValue()).filter(job -> !job.forged()).isEmpty()) {
        foreign++;
        return;
      }
      add(stamp);
    } catch (RuntimeException e) {
      // A key or value that does not deserialize (a type Crew does not know, or refused), or
      // whose stored form has no such fields.
      foreign++;
    }
  }

  private void add(Stamp stamp) {
    jobs++;
    keep(stamp);
  }

  private void keep(Stamp stamp) {
    newest.add(stamp);
    if (newest.size() > limit) {
      newest.poll();
    }
  }

  @Override
  public void combine(Aggregator other) {
    NewestJobs that = (NewestJobs) other;
    jobs += that.jobs;
    foreign += that.foreign;
    that.newest.forEach(this::keep);
  }

  @Override
  public Newest aggregate() {
    List<Stamp> sorted = new ArrayList<>(newest);
    sorted.sort(OLDEST_FIRST.reversed());
    return new Newest(sorted.stream().map(Stamp::id).toList(), jobs, foreign);
  }

  static final class Codec implements CompactSerializer<NewestJobs> {
    @Override
    public NewestJobs read(CompactReader in) {
      NewestJobs aggregator = new NewestJobs(in.readInt32("limit"));
      aggregator.jobs = in.readInt64("jobs");
      aggregator.foreign = in.readInt64("foreign");
      String[] ids = in.readArrayOfString("ids");
      long[] created = in.readArrayOfInt64("createdMillis");
      for (int i = 0; i < Math.min(ids.length, created.length); i++) {
        aggregator.keep(new Stamp(ids[i], created[i]));
      }
      return aggregator;
    }

    @Override
    public void write(CompactWriter out, NewestJobs aggregator) {
      List<Stamp> stamps = List.copyOf(aggregator.newest);
      out.writeInt32("limit", aggregator.limit);
      out.writeInt64("jobs", aggregator.jobs);
      out.writeInt64("foreign", aggregator.foreign);
      out.writeArrayOfString("ids", stamps.stream().map(Stamp::id).toArray(String[]::new));
      out.writeArrayOfInt64(
          "createdMillis", stamps.stream().mapToLong(Stamp::createdMillis).toArray());
    }

    @Override
    public String getTypeName() {
      return "crew.NewestJobs";
    }

    @Override
    public Class<NewestJobs> getCompactClass() {
      return NewestJobs.class;
    }
  }

  static final class NewestCodec implements CompactSerializer<Newest> {
    @Override
    public Newest read(CompactReader in) {
      return new Newest(
          List.of(in.readArrayOfString("ids")), in.readInt64("jobs"), in.readInt64("foreign"));
    }

    @Override
    public void write(CompactWriter out, Newest newest) {
      out.writeArrayOfString("ids", newest.ids().toArray(String[]::new));
      out.writeInt64("jobs", newest.jobs());
      out.writeInt64("foreign", newest.foreign());
    }

    @Override
    public String getTypeName() {
      return "crew.NewestJobIds";
    }

    @Override
    public Class<Newest> getCompactClass() {
      return Newest.class;
    }
  }
}
