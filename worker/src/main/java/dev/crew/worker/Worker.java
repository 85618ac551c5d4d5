package dev.crew.worker;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.FirstResultMergePolicy;
import dev.crew.common.IoConcurrency;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobSigner;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.ResultHoldings;
import dev.crew.common.SecretFingerprint;
import dev.crew.common.StageHandOff;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.WorkerStats;
import dev.crew.common.http.HttpEndpoint;
import dev.crew.common.http.HttpOptions;
import dev.crew.common.ledger.BlockMergePolicy;
import dev.crew.common.ledger.Claimant;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.HeldClaims;
import dev.crew.common.ledger.LedgerLayout;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.worker.http.WorkerRoutes;
import dev.crew.worker.stats.LaneLoad;
import dev.crew.worker.stats.StatsPublisher;
import dev.crew.worker.stats.WorkerEvents;
import dev.crew.worker.stats.WorkerMeters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Crew worker: a Hazelcast member that pulls tasks for each lane and runs them on this host's
 * cores.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  private static final Duration STATS_INTERVAL = Duration.ofSeconds(1);

  /**
   * @param cpuThreads platform threads of the CPU lane, one task each
   * @param ioConcurrency items of the I/O lane in flight at once, each on a virtual thread; {@link
   *     #IO_AUTO} for a limit that adapts to the latency and overload signs it sees, up to {@link
   *     #IO_CEILING}
   * @param backups synchronous backups of queues, jobs and results
   */
  public record Settings(
      ClusterConfigs.Membership membership,
      int cpuThreads,
      int ioConcurrency,
      int backups,
      Duration drainTimeout,
      Duration leaseTimeout,
      Duration heartbeat,
      Security security) {
    public static final Duration DEFAULT_LEASE_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);

    /** {@code --io-concurrency auto}: the I/O lane's limit adapts. */
    public static final int IO_AUTO = IoConcurrency.AUTO;

    /** Most items the I/O lane keeps in flight, adaptive or fixed. */
    public static final int IO_CEILING = IoConcurrency.CEILING;

    /** Settings with the default lease timeout and heartbeat, no secret, and no commands. */
    public Settings(
        ClusterConfigs.Membership membership,
        int cpuThreads,
        int ioConcurrency,
        int backups,
        Duration drainTimeout) {
      this(
          membership,
          cpuThreads,
          ioConcurrency,
          backups,
          drainTimeout,
          DEFAULT_LEASE_TIMEOUT,
          DEFAULT_HEARTBEAT);
    }

    /** Settings with no secret and no commands. */
    public Settings(
        ClusterConfigs.Membership membership,
        int cpuThreads,
        int ioConcurrency,
        int backups,
        Duration drainTimeout,
        Duration leaseTimeout,
        Duration heartbeat) {
      this(
          membership,
          cpuThreads,
          ioConcurrency,
          backups,
          drainTimeout,
          leaseTimeout,
          heartbeat,
          Security.OPEN);
    }

    public Settings {
      if (heartbeat.isZero()
          || heartbeat.isNegative()
          || leaseTimeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException(
            "--lease-timeout ("
                + leaseTimeout.toMillis()
                + " ms) must be at least twice --heartbeat ("
                + heartbeat.toMillis()
                + " ms)");
      }
      if (cpuThreads < 1) {
        throw new IllegalArgumentException("--cpu-threads must be at least 1, not " + cpuThreads);
      }
      if (ioConcurrency < 0 || ioConcurrency > IO_CEILING) {
        throw new IllegalArgumentException(
            "--io-concurrency must be auto or between 1 and "
                + IO_CEILING
                + ", not "
                + ioConcurrency);
      }
      if (backups < 0 || backups > 6) {
        throw new IllegalArgumentException("--backups must be between 0 and 6, not " + backups);
      }
    }
  }

  /**
   * What this worker trusts.
   *
   * @param signer checks job and task signatures against the cluster secret; {@code null} runs
   *     unsigned jobs
   * @param allowExec whether tasks that run commands on this host may run
   */
  public record Security(JobSigner signer, boolean allowExec) {
    public static final Security OPEN = new Security(null, false);
  }

  private final Settings settings;
  private final HazelcastInstance hazelcast;
  private final String name;
  private final TaskLedger ledger;
  private final IMap<String, Job> jobs;
  private final LedgerResultSink sink;
  private final List<LaneLoop> lanes;
  private final ExecutorService cpuThreads;
  private final ExecutorService ioThreads;
  private final List<Thread> loopThreads;
  private final LeaseReaper reaper;
  private final RetentionSweep retention;
  private final Watchdog watchdog;

  /** The I/O lane's limits per task and target host, when its limit adapts; else null. */
  private final @Nullable KeyLimits ioKeys;

  private final Map<String, ChunkRun> active = new ConcurrentHashMap<>();

  private final HeldClaims held;
  private final FinishedJobs finished = new FinishedJobs(System::currentTimeMillis);
  private final OncePerJob replaysReported = new OncePerJob(REPORTED_JOBS);
  private final OncePerJob otherLaneReported = new OncePerJob(REPORTED_JOBS);

  /** Jobs whose refusal is logged once; past this many, once again. */
  private static final int REPORTED_JOBS = 10_000;

  private final OncePerJob handedBackReported = new OncePerJob(REPORTED_JOBS);
  private static final Duration HAND_BACK_DELAY = Duration.ofMillis(100);

  /** Longest the I/O lane's loop waits for room for a task's key before it hands the task back. */
  private static final Duration KEY_ROOM_WAIT = Duration.ofMillis(20);

  /**
   * How long this worker holds the claim on a paused job's task before it hands it back: the lane
   * then cycles through a paused job's few tasks once a second instead of as fast as it can.
   */
  private static final Duration PAUSED_HAND_BACK_DELAY = Duration.ofSeconds(1);

  /** How often a worker asks the cluster what a job holds unread. */
  private static final Duration BUDGET_REFRESH = Duration.ofMillis(250);

  private final BudgetGate budget;
  private final long startedNanos = System.nanoTime();
  private final WorkerMeters meters;
  private final StatsPublisher stats;
  private HttpEndpoint http;
  private volatile boolean closed;

  private Worker(
      Settings settings, TaskCatalog catalog, HazelcastInstance hazelcast, boolean prometheus) {
    this.settings = settings;
    this.hazelcast = hazelcast;
    this.name = Names.member(hazelcast.getCluster().getLocalMember());
    this.ledger =
        new HazelcastTaskLedger(
            hazelcast, LedgerLayout.DEFAULT, settings.leaseTimeout(), System::currentTimeMillis);
    this.jobs = hazelcast.getMap(Names.JOBS);
    this.meters =
        new WorkerMeters(
            hazelcast,
            name,
            List.of(
                new LaneLoad(Lane.CPU, () -> slotCount(0), () -> busySlots(0), false),
                new LaneLoad(
                    Lane.IO,
                    () -> slotCount(1),
                    () -> busySlots(1),
                    settings.ioConcurrency() == Settings.IO_AUTO)),
            jobId -> JobRecords.get(jobs, jobId).map(Job::task).orElse("unknown"),
            new LaneDepths(
                    ledger,
                    jobId -> JobRecords.get(jobs, jobId).orElse(null),
                    System::nanoTime,
                    Duration.ofSeconds(1))
                ::queued,
            prometheus);
    hazelcast.getUserContext().put(WorkerEvents.CONTEXT_KEY, meters);
    this.stats =
        new StatsPublisher(
            hazelcast,
            name,
            Runtime.getRuntime().availableProcessors(),
            meters,
            System::currentTimeMillis,
            this::ioKeyLimits);
    ResultHoldings holdings = new ResultHoldings(hazelcast, ledger);
    this.budget =
        new BudgetGate(
            holdings::admission,
            question -> Thread.ofVirtual().name("crew-budget").start(question),
            System::nanoTime,
            BUDGET_REFRESH);
    this.held = new HeldClaims(ledger, this::claimant, Worker::later);
    this.sink =
        new LedgerResultSink(ledger, meters, result -> held.done(result.taskId(), result.stage()));
    JobBindings bindings =
        new JobBindings(
            catalog,
            new MapJobBook(jobs),
            name,
            settings.security().signer() == null
                ? signed -> true
                : settings.security().signer()::verify,
            settings.security().allowExec(),
            meters,
            finished);
    // The lane's slots bound how many run at once; the pool may still grow past them, because a
    // thread stuck in an
    // item that ignores interrupts is abandoned and its task goes on in a new one.
    this.cpuThreads =
        Executors.newCachedThreadPool(Thread.ofPlatform().name("crew-cpu-", 1).factory());
    this.watchdog =
        new Watchdog(
            Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("crew-watchdog").daemon(true).factory()));
    this.ioThreads =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("crew-io-", 1).factory());
    this.ioKeys =
        settings.ioConcurrency() == Settings.IO_AUTO
            ? new KeyLimits(
                () -> AdaptiveLimit.create(Settings.IO_CEILING),
                Settings.IO_CEILING,
                System::nanoTime,
                new KeyLimits.Listener() {
                  @Override
                  public void added(String key, IntSupplier limit, IntSupplier inFlight) {
                    meters.keyAdded(key, limit, inFlight);
                  }

                  @Override
                  public void removed(String key) {
                    meters.keyRemoved(key);
                  }
                })
            : null;
    this.lanes =
        List.of(
            new LaneLoop(
                Lane.CPU,
                settings.cpuThreads(),
                false,
                source(Lane.CPU),
                c -> start(c, Lane.CPU, bindings),
                cpuThreads),
            new LaneLoop(
                Lane.IO,
                ioSlots(settings.ioConcurrency()),
                ioKeys,
                true,
                source(Lane.IO),
                c -> start(c, Lane.IO, bindings),
                ioThreads));
    this.reaper =
        new LeaseReaper(
            hazelcast,
            ledger,
            settings.leaseTimeout(),
            settings.heartbeat(),
            System::nanoTime,
            held::taskIds);
    this.retention = new RetentionSweep(hazelcast, ledger, System::currentTimeMillis);
    this.loopThreads =
        lanes.stream()
            .map(
                lane ->
                    Thread.ofPlatform().name("crew-" + lane.lane().id() + "-lane").unstarted(lane))
            .toList();
  }

  /** Joins (or forms) the cluster and starts taking tasks; no HTTP endpoint. */
  public static Worker start(Settings settings, TaskCatalog catalog) {
    return start(settings, catalog, HttpOptions.OFF);
  }

  /**
   * Joins (or forms) the cluster, starts taking tasks, and serves {@code http} unless it is off.
   */
  public static Worker start(Settings settings, TaskCatalog catalog, HttpOptions httpOptions) {
    int cores = Runtime.getRuntime().availableProcessors();
    String fingerprint = SecretFingerprint.of(Optional.ofNullable(settings.security().signer()));
    SecretCheck.beforeJoin(settings.membership(), fingerprint);
    Map<String, String> attributes =
        Map.of(
            Names.ATTR_ROLE, Names.ROLE_WORKER,
            Names.ATTR_SECRET_FINGERPRINT, fingerprint,
            Names.ATTR_CORES, Integer.toString(cores),
            Names.ATTR_CPU_THREADS, Integer.toString(settings.cpuThreads()),
            Names.ATTR_IO_CONCURRENCY,
                Integer.toString(
                    settings.ioConcurrency() == Settings.IO_AUTO
                        ? Settings.IO_CEILING
                        : settings.ioConcurrency()),
            Names.ATTR_RESULTS_SHARE,
                Long.toString(
                    ResultHoldings.share(Runtime.getRuntime().maxMemory(), settings.backups())),
            Names.ATTR_TASKS,
                catalog.advertised(
                    task -> !task.runsCommands() || settings.security().allowExec()));
    JobSigner signer = settings.security().signer();
    Config config =
        ClusterConfigs.member(
            settings.membership(),
            attributes,
            settings.backups(),
            signer == null ? null : signer.sealer());
    failureDetection(config, settings.leaseTimeout(), settings.heartbeat());
    HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config);
    SecretCheck.afterJoin(hazelcast, settings.membership().cluster(), fingerprint);
    Worker worker = new Worker(settings, catalog, hazelcast, httpOptions.enabled());
    worker.reaper.start();
    worker.retention.start(RetentionSweep.INTERVAL);
    worker.stats.start(STATS_INTERVAL);
    hazelcast
        .<String, Job>getMap(Names.JOBS)
        .addEntryListener(
            (EntryUpdatedListener<String, Job>)
                event -> {
                  // A value that is not a job, or a forged record (changed without the secret),
                  // cancels and ends nothing.
                  Optional<Job> job =
                      JobRecords.asJob(event.getKey(), event.getValue()).filter(j -> !j.forged());
                  // Abandoned is final only until the same job is submitted again, which resumes
                  // it: only the states no job leaves are remembered.
                  if (job.isPresent()
                      && (job.get().state() == JobState.DONE
                          || job.get().state() == JobState.CANCELLED
                          || job.get().state() == JobState.REFUSED)) {
                    worker.finished.ended(event.getKey());
                  }
                  if (job.isPresent() && job.get().state() == JobState.CANCELLED) {
                    worker.cancelRuns(event.getKey());
                  }
                },
            /* includeValue= */ true);
    worker.loopThreads.forEach(Thread::start);
    hazelcast
        .getCluster()
        .addMembershipListener(
            new MemberLog(
                hazelcast,
                SecretFingerprint.of(Optional.ofNullable(settings.security().signer()))));
    if (httpOptions.enabled()) {
      try {
        worker.http =
            HttpEndpoint.start(
                httpOptions,
                WorkerRoutes.probes(worker),
                WorkerRoutes.pages(
                    worker, settings.membership().cluster(), httpOptions.hideErrors()));
      } catch (IllegalStateException e) {
        worker.close();
        throw e;
      }
      log.info(
          "worker {} serves health, metrics and the dashboard at http://{}:{}/",
          worker.name,
          httpOptions.bind(),
          worker.http.port());
    }
    if (settings.security().signer() == null) {
      log.warn(
          "NO CLUSTER SECRET: this worker runs any job from anyone who can reach its port {}. Set CREW_SECRET or"
              + " --secret-file on every worker and coordinator so that only signed jobs run.",
          hazelcast.getCluster().getLocalMember().getAddress().getPort());
    }
    log.info(
        "worker {} joined cluster '{}': {} members; {} cores, cpu lane {} threads, io lane {} in flight; tasks: {}",
        worker.name,
        settings.membership().cluster(),
        hazelcast.getCluster().getMembers().size(),
        cores,
        settings.cpuThreads(),
        IoConcurrency.describe(settings.ioConcurrency()),
        catalog.all().stream()
            .filter(t -> !t.runsCommands() || settings.security().allowExec())
            .map(t -> t.name())
            .collect(Collectors.joining(", ")));
    return worker;
  }

  /**
   * A member that stops answering (hung, or cut off) is dropped from the cluster after twice its
   * lease timeout (at least 10 s, so a JVM starved of CPU for a few seconds on a loaded host is not
   * taken for dead); until then the survivors' calls on its partitions wait. A member cut off and
   * back again merges into the larger cluster within a lease timeout or so, not in Hazelcast's
   * default five minutes.
   */
  static void failureDetection(Config config, Duration leaseTimeout, Duration heartbeat) {
    long leaseSeconds = Math.max(1, leaseTimeout.toSeconds());
    long beatSeconds = Math.clamp(heartbeat.toSeconds(), 1, 5);
    config.setProperty("hazelcast.heartbeat.interval.seconds", Long.toString(beatSeconds));
    config.setProperty(
        "hazelcast.max.no.heartbeat.seconds",
        Long.toString(memberTimeout(leaseTimeout).toSeconds()));
    config.setProperty(
        "hazelcast.merge.first.run.delay.seconds", Long.toString(Math.max(5, leaseSeconds)));
    config.setProperty(
        "hazelcast.merge.next.run.delay.seconds", Long.toString(Math.max(5, leaseSeconds)));
  }

  /** How long a member may be silent before the others drop it from the cluster. */
  public static Duration memberTimeout(Duration leaseTimeout) {
    return Duration.ofSeconds(Math.max(10, 2 * Math.max(1, leaseTimeout.toSeconds())));
  }

  private TaskSource source(Lane lane) {
    return (max, wait) -> held.claim(lane, max, wait);
  }

  /** Runs {@code action} after {@code delay} on a virtual thread of its own. */
  private static void later(Duration delay, Runnable action) {
    Thread.ofVirtual()
        .name("crew-later")
        .start(
            () -> {
              try {
                Thread.sleep(delay);
                action.run();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  /**
   * Who claims: this worker, under its member's uuid, read at each claim: it changes when this
   * member rejoins after a split.
   */
  private Claimant claimant() {
    return new Claimant(name, hazelcast.getCluster().getLocalMember().getUuid().toString());
  }

  /**
   * Starts the run of a task just taken, or drops it (releasing its lease) when it must not run.
   */
  private ChunkRun start(TaskChunk chunk, Lane lane, JobBindings bindings) {
    Binding binding = bindings.forJob(chunk.jobId(), chunk.stage());
    if (binding instanceof Binding.Elsewhere elsewhere) {
      if (offeredByAnother(elsewhere.task())) {
        handBack(chunk, elsewhere);
        return null;
      }
      binding =
          new Binding.Refuse(
              elsewhere.error()); // no worker runs it: its items fail with the reason
    }
    if (binding instanceof Binding.Replay replay) {
      if (replaysReported.first(chunk.jobId())) {
        log.warn(
            "refused the tasks of job {}: {}; its blocks are forgotten",
            chunk.jobId(),
            replay.reason());
        meters.refused("job " + chunk.jobId(), replay.reason());
      }
      held.done(chunk.taskId());
      ledger.forget(chunk.jobId());
      return null;
    }
    JobSigner signer = settings.security().signer();
    if (binding instanceof Binding.Drop drop) {
      log.debug("dropped task {}: {}", chunk.taskId(), drop.reason());
      drop(chunk);
      return null;
    }
    if (signer != null && !signer.verify(chunk)) {
      log.warn(
          "refused task {}: its signature does not match this cluster's secret; it was not made by a holder of"
              + " the secret, or was changed",
          chunk.taskId());
      meters.refused(
          "task " + chunk.taskId(), "its signature does not match this cluster's secret");
      drop(chunk);
      return null;
    }
    Optional<Job> record =
        JobRecords.asJob(chunk.jobId(), ((IMap<?, ?>) jobs).get(chunk.jobId()))
            .filter(job -> !job.forged());
    Optional<Lane> own = record.map(job -> job.laneOf(Math.min(chunk.stage(), job.stages() - 1)));
    if (own.isPresent() && own.get() != lane) {
      // Its block's key was in another lane's queue (moved there by someone else): it runs only
      // on its job's own lane, where handing it back offers the key.
      if (otherLaneReported.first(chunk.jobId())) {
        log.warn(
            "job {}: took its task {} from the {} lane's queue, but the job runs on the {} lane:"
                + " handed back to its own lane",
            chunk.jobId(),
            chunk.taskId(),
            lane.id(),
            own.get().id());
        meters.refused(
            "task " + chunk.taskId(), "queued on the " + lane.id() + " lane, not its job's");
      }
      held.handBackAfter(chunk, HAND_BACK_DELAY);
      return null;
    }
    if (budget.paused(chunk.jobId())) {
      // Its unread results fill its budget: the task waits in the ledger until they are read.
      held.handBackAfter(chunk, PAUSED_HAND_BACK_DELAY);
      return null;
    }
    if (lane == Lane.IO && !roomFor(binding, chunk)) {
      // A round of its key's items has waited all along: this one would wait behind them,
      // holding lane slots that another job's items could run in. Handed back, it waits in the
      // ledger, where any worker with room for its key can take it; this lane's claims take turns
      // among the blocks with queued tasks, other jobs' among them.
      held.handBackAfter(chunk, HAND_BACK_DELAY);
      return null;
    }
    WorkerMeters.TaskMeters taskMeters = meters.forJob(chunk.jobId());
    // A pipeline's stage before its last hands each result on as the next stage's task.
    Job pipeline = record.filter(job -> !job.lastStage(chunk.stage())).orElse(null);
    Job lastStageOf = record.filter(job -> job.stages() > 1 && pipeline == null).orElse(null);
    ResultSink tracked =
        result -> {
          active.remove(result.taskId());
          meters.recorded(taskMeters, result);
          if (pipeline == null) {
            TaskResult last =
                lastStageOf == null ? result : StageHandOff.labelled(lastStageOf, chunk, result);
            budget.recorded(last.jobId(), last.heldBytes());
            sink.record(last);
            return;
          }
          TaskChunk next = StageHandOff.next(pipeline, chunk, result);
          sink.record(result, signer == null ? next : next.withSignature(signer.sign(next)));
        };
    ChunkRun run =
        new ChunkRun(
            chunk,
            binding,
            tracked,
            name,
            System::nanoTime,
            watchdog,
            Backoff.DEFAULT,
            lane == Lane.IO ? ioKeys : null);
    active.put(chunk.taskId(), run);
    return run;
  }

  /**
   * Whether the I/O lane has room for {@code chunk}: whether the key of its first item (a task's
   * items are mostly of one key: the items of one task, the URLs of one host) has fewer items
   * waiting than its limit, or gets there within {@link #KEY_ROOM_WAIT}. The lane's loop waits here
   * rather than claim again at once: a key without room would have it hand back task after task as
   * fast as it can claim them.
   */
  private boolean roomFor(Binding binding, TaskChunk chunk) {
    if (ioKeys == null
        || !(binding instanceof Binding.Run run)
        || chunk.count() == 0
        || chunk.carriedFailure(0)) {
      return true;
    }
    try {
      return ioKeys.awaitRoom(run.limitKey(chunk.item(0)), KEY_ROOM_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true; // the loop is never interrupted while running; it starts what it holds
    }
  }

  /** The I/O lane's busiest key limits, for stats; none for a fixed lane. */
  private List<WorkerStats.KeyLimit> ioKeyLimits() {
    KeyLimits keys = ioKeys;
    if (keys == null) {
      return List.of();
    }
    return keys.views().stream()
        .limit(WorkerStats.MAX_IO_KEYS)
        .map(view -> new WorkerStats.KeyLimit(view.key(), view.limit(), view.inFlight()))
        .toList();
  }

  /** The I/O lane's limits per key; null unless its limit adapts. */
  @Nullable KeyLimits ioKeys() {
    return ioKeys;
  }

  /** Whether another member of the cluster advertises the task {@code name}. */
  private boolean offeredByAnother(String name) {
    for (Member member : hazelcast.getCluster().getMembers()) {
      String tasks = member.getAttribute(Names.ATTR_TASKS);
      if (!member.localMember() && tasks != null) {
        for (String offered : tasks.split(",")) {
          if (offered.startsWith(name + ":")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Leaves a task this worker cannot run to one that can: hands its claim back a little later, so
   * this worker does not spin on it while the others are busy. Should this worker die in between,
   * its claims are put back when it leaves.
   */
  private void handBack(TaskChunk chunk, Binding.Elsewhere why) {
    if (handedBackReported.first(chunk.jobId())) {
      log.info(
          "job {}: {}; leaving its tasks to workers that offer '{}'",
          chunk.jobId(),
          why.error(),
          why.task());
    }
    held.handBackAfter(chunk, HAND_BACK_DELAY);
  }

  /**
   * Lets go of a task that will not run anywhere (its job is cancelled, refused, gone, or the task
   * is not signed).
   */
  private void drop(TaskChunk chunk) {
    held.letGo(chunk, ((IMap<?, ?>) jobs).get(chunk.jobId()));
  }

  /** Stops the running tasks of a cancelled job at once (its canceller forgets its blocks). */
  private void cancelRuns(String jobId) {
    int stopped = 0;
    for (ChunkRun run : active.values()) {
      if (run.chunk().jobId().equals(jobId)) {
        run.cancel();
        active.remove(run.chunk().taskId());
        held.done(run.chunk().taskId());
        stopped++;
      }
    }
    if (stopped > 0) {
      log.info("job {} was cancelled: stopped {} of its running tasks", jobId, stopped);
    }
  }

  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  public String name() {
    return name;
  }

  public Settings settings() {
    return settings;
  }

  /** The I/O lane's slots: a fixed number, or the adaptive limit under the ceiling. */
  static LaneSlots ioSlots(int ioConcurrency) {
    return ioConcurrency == Settings.IO_AUTO
        ? new LaneSlots(
            AdaptiveLimit.forLane(Settings.IO_CEILING),
            Settings.IO_CEILING,
            /* adaptive= */ true,
            System::nanoTime)
        : LaneSlots.fixed(ioConcurrency);
  }

  private int slotCount(int lane) {
    return lanes.get(lane).slotCount();
  }

  private int busySlots(int lane) {
    return lanes.get(lane).busySlots();
  }

  /** Ready for work: a running member of the cluster whose lanes are taking tasks. */
  public boolean ready() {
    return !closed
        && hazelcast.getLifecycleService().isRunning()
        && loopThreads.stream().allMatch(Thread::isAlive);
  }

  /** This worker's counters and, when its HTTP endpoint is on, its Prometheus registry. */
  public WorkerMeters meters() {
    return meters;
  }

  /** The port of the HTTP endpoint, if it is on. */
  public Optional<Integer> httpPort() {
    return Optional.ofNullable(http).map(HttpEndpoint::port);
  }

  /**
   * Late duplicate results dropped here: those this worker computed that lost to an earlier result
   * of the same task, and those a split-off part of the cluster brought back when it merged into
   * this member's partitions.
   */
  public long duplicatesDropped() {
    return sink.duplicates() + FirstResultMergePolicy.dropped() + BlockMergePolicy.dropped();
  }

  /**
   * Leaves the cluster: stops taking tasks, lets running ones finish (up to the drain timeout),
   * waits for their results to be written, then shuts the member down.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    lanes.forEach(LaneLoop::stopTaking);
    stats.close();
    boolean idle = true;
    try {
      long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
      for (LaneLoop lane : lanes) {
        idle &= lane.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      }
      if (hazelcast.getLifecycleService().isRunning()) {
        sink.flush();
      }
      sink.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      idle = false;
    }
    for (Thread loop : loopThreads) {
      if (!idle) {
        // A loop whose slots are all held by tasks still running waits for a slot, which only
        // frees when those end: wake it (told to stop, it leaves quietly). It waits before it
        // claims, or while it starts the items of a task it claimed, one slot each; woken
        // there, the task's other items do not start, and its claim goes back below with those
        // of the tasks still running.
        loop.interrupt();
      }
      try {
        loop.join(Duration.ofSeconds(2)); // a loop leaves within one poll wait once told to stop
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    int handedBack = 0;
    if (!idle && hazelcast.getLifecycleService().isRunning()) {
      // Tasks still running at the drain timeout go back on their queues for another worker.
      handedBack = reaper.requeueOwn();
    }
    reaper.close();
    retention.close();
    if (http != null) {
      http.close();
    }
    meters.close();
    // Tasks still running now are past the drain timeout (and handed back, if the cluster is still
    // there): interrupt them at once rather than wait.
    shutdownAndAwait(cpuThreads, idle);
    shutdownAndAwait(ioThreads, idle);
    long tasks = lanes.stream().mapToLong(LaneLoop::tasksRun).sum();
    long items = lanes.stream().mapToLong(LaneLoop::itemsRun).sum();
    String cluster = settings.membership().cluster();
    if (hazelcast.getLifecycleService().isRunning()) {
      hazelcast.shutdown();
    }
    log.info(
        "worker {} left cluster '{}' after {} s: ran {} tasks, {} items{}{}{}",
        name,
        cluster,
        String.format("%.1f", (System.nanoTime() - startedNanos) / 1e9),
        tasks,
        items,
        idle
            ? ""
            : "; " + handedBack + " tasks still running at the drain timeout were handed back",
        duplicatesDropped() == 0
            ? ""
            : "; " + duplicatesDropped() + " late duplicate results dropped",
        sink.forgotten() == 0
            ? ""
            : "; "
                + sink.forgotten()
                + " late results dropped whose block this cluster no longer holds");
  }

  private static void shutdownAndAwait(ExecutorService pool, boolean wait) {
    pool.shutdown();
    try {
      if (!wait || !pool.awaitTermination(1, TimeUnit.SECONDS)) {
        pool.shutdownNow();
        pool.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
