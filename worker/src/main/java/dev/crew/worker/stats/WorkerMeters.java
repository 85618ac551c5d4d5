package dev.crew.worker.stats;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.crew.common.CrewEvent;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.TaskResult;
import dev.crew.common.WorkerStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;

/**
 * A worker's numbers: plain adders that the stats map and the CLI read, and, when the HTTP endpoint
 * is on, the same numbers (and JVM metrics) in a Micrometer Prometheus registry. Counting happens
 * once per task result, never per item, and a task's meters are looked up once per job.
 */
public final class WorkerMeters implements WorkerEvents, AutoCloseable {
  private static final int MAX_CACHED_JOBS = 512;

  private final String worker;
  private final List<LaneLoad> lanes;
  private final Function<String, String> taskOfJob;
  private final PrometheusMeterRegistry registry;
  private final Ringbuffer<CrewEvent> events;
  private final JvmGcMetrics gcMetrics;
  private final Map<String, TaskMeters> byJob = new ConcurrentHashMap<>();
  private final LongAdder itemsOk = new LongAdder();
  private final LongAdder itemsFailed = new LongAdder();
  private final LongAdder tasksDone = new LongAdder();
  private final LongAdder requeues = new LongAdder();
  private final LongAdder refusals = new LongAdder();
  private final LongAdder duplicates = new LongAdder();

  /**
   * @param worker this worker's name ({@code host:port}), for events
   * @param lanes the lanes, read for utilisation
   * @param taskOfJob the task name of a job id, asked once per job
   * @param queued tasks queued cluster-wide on a lane, read when the registry is scraped
   * @param prometheus whether to keep a Prometheus registry (only the HTTP endpoint reads it)
   */
  public WorkerMeters(
      HazelcastInstance hazelcast,
      String worker,
      List<LaneLoad> lanes,
      Function<String, String> taskOfJob,
      ToLongFunction<Lane> queued,
      boolean prometheus) {
    this.worker = worker;
    this.lanes = List.copyOf(lanes);
    this.taskOfJob = taskOfJob;
    this.events = hazelcast.getRingbuffer(Names.EVENTS);
    if (!prometheus) {
      this.registry = null;
      this.gcMetrics = null;
      return;
    }
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("worker", worker);
    for (LaneLoad lane : this.lanes) {
      String id = lane.lane().id();
      Gauge.builder("crew.lane.slots", lane, l -> l.slots().getAsInt())
          .tag("lane", id)
          .description("Slots of the lane: fixed, or the limit an adaptive lane has settled on")
          .register(registry);
      Gauge.builder("crew.lane.adaptive", lane, l -> l.adaptive() ? 1 : 0)
          .tag("lane", id)
          .description("1 if the lane's limit adapts (--io-concurrency auto), else 0")
          .register(registry);
      Gauge.builder("crew.lane.busy", lane, l -> l.busy().getAsInt())
          .tag("lane", id)
          .description("Slots of the lane in use")
          .register(registry);
      Gauge.builder(
              "crew.lane.utilisation",
              lane,
              l -> l.busy().getAsInt() / (double) l.slots().getAsInt())
          .tag("lane", id)
          .description("Share of the lane's slots in use, 0 to 1")
          .register(registry);
    }
    for (Lane lane : Lane.values()) {
      Gauge.builder("crew.queue.depth", lane, l -> queued.applyAsLong(l))
          .tag("lane", lane.id())
          .description("Tasks waiting in the lane's cluster-wide queue")
          .register(registry);
    }
    FunctionCounter.builder("crew.lease.requeues", requeues, LongAdder::sum)
        .description("Tasks of lost or silent workers this worker put back on their queues")
        .register(registry);
    FunctionCounter.builder("crew.duplicates.dropped", duplicates, LongAdder::sum)
        .description("Late duplicate results this worker dropped")
        .register(registry);
    FunctionCounter.builder("crew.refused", refusals, LongAdder::sum)
        .description(
            "Jobs and tasks refused because their signature did not match the cluster secret")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    this.gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /**
   * An adaptive I/O lane limits a new key (a task, or a target host of {@code http-get}): its limit
   * and items in flight become gauges, tagged with the key.
   */
  public void keyAdded(String key, IntSupplier limit, IntSupplier inFlight) {
    if (registry == null) {
      return;
    }
    // Held strongly: a gauge holds its object weakly, and nothing else holds these suppliers.
    Gauge.builder("crew.io.key.limit", limit, IntSupplier::getAsInt)
        .strongReference(true)
        .tag("key", key)
        .description(
            "The limit an adaptive io lane has settled on for one key: a task, or a task and the host"
                + " it calls")
        .register(registry);
    Gauge.builder("crew.io.key.busy", inFlight, IntSupplier::getAsInt)
        .strongReference(true)
        .tag("key", key)
        .description("Items of one key in flight on the io lane")
        .register(registry);
  }

  /** The lane forgot a key (idle while too many were known): its gauges go. */
  public void keyRemoved(String key) {
    if (registry == null) {
      return;
    }
    for (String meter : List.of("crew.io.key.limit", "crew.io.key.busy")) {
      Gauge gauge = registry.find(meter).tag("key", key).gauge();
      if (gauge != null) {
        registry.remove(gauge);
      }
    }
  }

  /** The meters of the task that job {@code jobId} runs; resolved once per job. */
  public TaskMeters forJob(String jobId) {
    TaskMeters meters = byJob.get(jobId);
    if (meters != null) {
      return meters;
    }
    if (byJob.size() > MAX_CACHED_JOBS) {
      byJob.clear();
    }
    return byJob.computeIfAbsent(jobId, id -> TaskMeters.of(registry, taskOfJob.apply(id)));
  }

  /** Counts a task's recorded result: once per task, whatever its number of items. */
  public void recorded(TaskMeters meters, TaskResult result) {
    itemsOk.add(result.ok());
    itemsFailed.add(result.failed());
    tasksDone.increment();
    meters.record(result);
    meters.tally().add(result);
  }

  @Override
  public void requeued(String from, String why, int tasks) {
    if (tasks > 0) {
      requeues.add(tasks);
      append(
          CrewEvent.Kind.REQUEUED,
          "worker " + from + " " + why + ": " + tasks + " tasks put back",
          tasks);
    }
  }

  @Override
  public void refused(String what, String reason) {
    refusals.increment();
    append(CrewEvent.Kind.REFUSED, what + ": " + reason, 1);
  }

  @Override
  public void duplicateDropped(String taskId) {
    duplicates.increment();
    append(CrewEvent.Kind.DUPLICATE_DROPPED, "task " + taskId + " already had a result", 1);
  }

  @Override
  public void duplicatesMerged(long count) {
    duplicates.add(count);
    append(
        CrewEvent.Kind.DUPLICATE_DROPPED,
        "a split-off part of the cluster merged back: " + count + " duplicate results dropped",
        (int) Math.min(Integer.MAX_VALUE, count));
  }

  private void append(CrewEvent.Kind kind, String detail, int count) {
    try {
      events.addAsync(
          new CrewEvent(System.currentTimeMillis(), worker, kind, detail, count),
          OverflowPolicy.OVERWRITE);
    } catch (RuntimeException e) {
      // the member is shutting down: the event is still counted
    }
  }

  /** The Prometheus registry, when the HTTP endpoint is on. */
  public Optional<PrometheusMeterRegistry> prometheus() {
    return Optional.ofNullable(registry);
  }

  /** What this worker recorded of each job it ran lately (those still in its per-job cache). */
  List<WorkerStats.JobDone> jobsDone() {
    List<WorkerStats.JobDone> jobs = new ArrayList<>();
    for (Map.Entry<String, TaskMeters> job : byJob.entrySet()) {
      JobTally tally = job.getValue().tally();
      if (tally.tasks.sum() > 0) {
        jobs.add(
            new WorkerStats.JobDone(
                job.getKey(), tally.ok.sum(), tally.failed.sum(), tally.tasks.sum()));
      }
    }
    return jobs;
  }

  List<LaneLoad> lanes() {
    return lanes;
  }

  public long itemsOk() {
    return itemsOk.sum();
  }

  public long itemsFailed() {
    return itemsFailed.sum();
  }

  public long tasksDone() {
    return tasksDone.sum();
  }

  public long requeues() {
    return requeues.sum();
  }

  public long refusals() {
    return refusals.sum();
  }

  public long duplicates() {
    return duplicates.sum();
  }

  @Override
  public void close() {
    if (gcMetrics != null) {
      gcMetrics.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  /**
   * Fixed histogram buckets, a few per decade: enough to read latency from, and a scrape stays
   * small (Micrometer's automatic percentile histogram would give each timer some 200 buckets).
   */
  private static final Duration[] ITEM_BUCKETS =
      buckets(
          1_000,
          10_000,
          100_000,
          1_000_000,
          5_000_000,
          10_000_000,
          50_000_000,
          100_000_000,
          500_000_000,
          1_000_000_000L,
          10_000_000_000L,
          60_000_000_000L);

  private static final Duration[] TASK_BUCKETS =
      buckets(
          1_000_000,
          5_000_000,
          10_000_000,
          25_000_000,
          50_000_000,
          100_000_000,
          250_000_000,
          500_000_000,
          1_000_000_000L,
          5_000_000_000L,
          30_000_000_000L,
          300_000_000_000L);

  private static Duration[] buckets(long... nanos) {
    return java.util.Arrays.stream(nanos).mapToObj(Duration::ofNanos).toArray(Duration[]::new);
  }

  /**
   * Items and tasks of one job recorded here; published in the stats map as the job's live
   * progress.
   */
  static final class JobTally {
    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder tasks = new LongAdder();

    void add(TaskResult result) {
      ok.add(result.ok());
      failed.add(result.failed());
      tasks.increment();
    }
  }

  /**
   * The meters of one job's task (its counters are shared by every job of that task); no registry,
   * no counters.
   */
  public record TaskMeters(JobTally tally, Counter ok, Counter failed, Timer item, Timer task) {

    static TaskMeters of(PrometheusMeterRegistry registry, String taskName) {
      if (registry == null) {
        return new TaskMeters(new JobTally(), null, null, null, null);
      }
      String task = taskName == null ? "unknown" : taskName;
      return new TaskMeters(
          new JobTally(),
          items(registry, task, "ok"),
          items(registry, task, "failed"),
          histogram(
              registry,
              "crew.item",
              task,
              "Item run time: each task's mean time per item, one sample per task",
              ITEM_BUCKETS),
          histogram(
              registry,
              "crew.task",
              task,
              "Task run time: the time its items ran, retries included",
              TASK_BUCKETS));
    }

    private static Counter items(PrometheusMeterRegistry registry, String task, String outcome) {
      return Counter.builder("crew.items")
          .tags("task", task, "outcome", outcome)
          .description("Items settled, by task and outcome")
          .register(registry);
    }

    private static Timer histogram(
        PrometheusMeterRegistry registry,
        String name,
        String task,
        String description,
        Duration[] buckets) {
      return Timer.builder(name)
          .tag("task", task)
          .description(description)
          .serviceLevelObjectives(buckets)
          .register(registry);
    }

    void record(TaskResult result) {
      if (ok == null) {
        return;
      }
      ok.increment(result.ok());
      failed.increment(result.failed());
      if (result.count() > 0) {
        item.record(result.elapsedNanos() / result.count(), TimeUnit.NANOSECONDS);
      }
      task.record(result.elapsedNanos(), TimeUnit.NANOSECONDS);
    }
  }
}
