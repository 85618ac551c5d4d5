package dev.crew.common;

import com.hazelcast.map.IMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The jobs map read as Crew's job records. Anyone who reaches the cluster can put anything there,
 * so an entry that is not a job under its own id (another key type, a key that is no job id,
 * another value type, one that does not deserialize, a job filed under another id) is skipped and
 * counted, never allowed to stop a reader. Readers show the count; the workers' retention sweep
 * logs it.
 *
 * @param jobs the entries that are jobs
 * @param foreign how many entries were skipped
 */
public record JobRecords(List<Job> jobs, int foreign) {

  public JobRecords {
    jobs = List.copyOf(jobs);
  }

  /** Batches of keys read at once when one call for every entry failed. */
  private static final int BATCH = 500;

  /**
   * Every entry of the jobs map: one call; if a value in it does not deserialize (which fails the
   * whole call), its keys and then batches of values.
   */
  public static JobRecords all(IMap<?, ?> map) {
    try {
      return of(map.entrySet());
    } catch (RuntimeException e) {
      List<Job> jobs = new ArrayList<>();
      int foreign = 0;
      List<String> batch = new ArrayList<>(BATCH);
      for (Object key : map.keySet()) {
        if (!(key instanceof String id)) {
          foreign++;
          continue;
        }
        batch.add(id);
        if (batch.size() == BATCH) {
          foreign += addBatch(map, batch, jobs);
        }
      }
      foreign += addBatch(map, batch, jobs);
      return new JobRecords(jobs, foreign);
    }
  }

  private static int addBatch(IMap<?, ?> map, List<String> batch, List<Job> jobs) {
    JobRecords some = some(map, new java.util.HashSet<>(batch));
    jobs.addAll(some.jobs());
    batch.clear();
    return some.foreign();
  }

  /**
   * The {@code limit} most recent jobs, newest first, of {@code stored} jobs in the map, and how
   * many entries were skipped: not jobs, or job records that do not verify under the secret.
   */
  public record Recent(List<Job> jobs, int stored, int foreign) {
    public Recent {
      jobs = List.copyOf(jobs);
    }
  }

  /**
   * The {@code limit} most recent jobs. The members pick the newest {@code limit} ids ({@link
   * NewestJobs}); only those records are read. If the members cannot (one lacks the aggregator),
   * every entry is read.
   */
  public static Recent recent(IMap<?, ?> map, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, not " + limit);
    }
    try {
      return recentByMembers(map, limit);
    } catch (RuntimeException e) {
      return recentOfAll(map, limit);
    }
  }

  /** {@link #recent}, picked by the members; throws if they cannot pick. */
  static Recent recentByMembers(IMap<?, ?> map, int limit) {
    @SuppressWarnings("unchecked")
    IMap<Object, Object> raw = (IMap<Object, Object>) map;
    NewestJobs.Newest newest = raw.aggregate(new NewestJobs(limit));
    // A record changed or removed since the members looked is read as it is now: from its owner,
    // past a member's near cache, which can show a job running for seconds after it ended.
    JobRecords some = fresh(map, newest.ids());
    List<Job> jobs = new ArrayList<>(some.jobs());
    int forged = dropForged(jobs);
    jobs.sort(NEWEST_FIRST);
    return new Recent(
        jobs,
        (int) Math.min(Integer.MAX_VALUE, newest.jobs()) - forged,
        (int) newest.foreign() + some.foreign() + forged);
  }

  /**
   * Takes the records that do not verify under the cluster secret out of {@code jobs}: a view shows
   * only jobs a holder of the secret made. Returns how many it took out.
   */
  private static int dropForged(List<Job> jobs) {
    int before = jobs.size();
    jobs.removeIf(Job::forged);
    return before - jobs.size();
  }

  /** Every job, newest first. */
  public static Recent allNewestFirst(IMap<?, ?> map) {
    return recentOfAll(map, Integer.MAX_VALUE);
  }

  /** The {@code limit} most recent jobs, from every entry read. */
  private static Recent recentOfAll(IMap<?, ?> map, int limit) {
    JobRecords every = all(map);
    List<Job> jobs = new ArrayList<>(every.jobs());
    int forged = dropForged(jobs);
    jobs.sort(NEWEST_FIRST);
    return new Recent(
        jobs.subList(0, Math.min(limit, jobs.size())), jobs.size(), every.foreign() + forged);
  }

  private static final Comparator<Job> NEWEST_FIRST =
      Comparator.comparingLong(Job::createdMillis).reversed();

  /**
   * The jobs with these ids as their owners hold them now (a member's near cache is passed by); an
   * id whose entry is not a job is counted as foreign, one with no entry left out.
   */
  public static JobRecords fresh(IMap<?, ?> map, Collection<String> ids) {
    @SuppressWarnings("unchecked")
    IMap<Object, Object> raw = (IMap<Object, Object>) map;
    List<Job> jobs = new ArrayList<>(ids.size());
    int foreign = 0;
    for (String id : ids) {
      com.hazelcast.core.EntryView<Object, Object> view;
      try {
        view = raw.getEntryView(id);
      } catch (RuntimeException e) {
        // A value that does not deserialize: a type Crew does not know, or refused.
        foreign++;
        continue;
      }
      if (view == null) {
        continue;
      }
      Optional<Job> job = asJob(id, view.getValue());
      if (job.isPresent()) {
        jobs.add(job.get());
      } else {
        foreign++;
      }
    }
    return new JobRecords(jobs, foreign);
  }

  /** The jobs with these ids; an id whose entry is not a job is counted as foreign. */
  public static JobRecords some(IMap<?, ?> map, Set<String> ids) {
    @SuppressWarnings("unchecked")
    IMap<Object, Object> raw = (IMap<Object, Object>) map;
    try {
      return of(raw.getAll(Set.copyOf(ids)).entrySet());
    } catch (RuntimeException e) {
      // One value that does not deserialize fails the whole batch: read them one by one.
      List<Job> jobs = new ArrayList<>();
      int foreign = 0;
      for (String id : ids) {
        Optional<Job> job = tryGet(raw, id);
        if (job.isPresent()) {
          jobs.add(job.get());
        } else if (raw.containsKey(id)) {
          foreign++;
        }
      }
      return new JobRecords(jobs, foreign);
    }
  }

  /** The job under {@code id}, empty when there is none or the entry is not a job. */
  public static Optional<Job> get(IMap<?, ?> map, String id) {
    @SuppressWarnings("unchecked")
    IMap<Object, Object> raw = (IMap<Object, Object>) map;
    return tryGet(raw, id);
  }

  private static Optional<Job> tryGet(IMap<Object, Object> map, String id) {
    try {
      return asJob(id, map.get(id));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The entries that are jobs under their own id; the rest counted. */
  public static JobRecords of(Collection<? extends Map.Entry<?, ?>> entries) {
    List<Job> jobs = new ArrayList<>(entries.size());
    int foreign = 0;
    for (Map.Entry<?, ?> entry : entries) {
      Optional<Job> job;
      try {
        job = asJob(entry.getKey(), entry.getValue());
      } catch (RuntimeException e) {
        // A key or value that does not deserialize: a type Crew does not know, or refused.
        job = Optional.empty();
      }
      if (job.isPresent()) {
        jobs.add(job.get());
      } else {
        foreign++;
      }
    }
    return new JobRecords(jobs, foreign);
  }

  /** {@code value} as the job stored under {@code key}, empty if it is not one. */
  public static Optional<Job> asJob(@Nullable Object key, @Nullable Object value) {
    if (key instanceof String id && value instanceof Job job && job.id().equals(id)) {
      return Optional.of(job);
    }
    return Optional.empty();
  }
}
