package dev.crew.client;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.client.job.Abandonment;
import dev.crew.client.job.BadInputException;
import dev.crew.client.job.BroadcastTargets;
import dev.crew.client.job.Cancellation;
import dev.crew.client.job.ChunkPlanner;
import dev.crew.client.job.InOrder;
import dev.crew.client.job.ItemSource;
import dev.crew.client.job.IteratorSource;
import dev.crew.client.job.JobIdTakenException;
import dev.crew.client.job.JobRun;
import dev.crew.client.job.LaneProbe;
import dev.crew.client.job.Outcome;
import dev.crew.client.job.RangeSource;
import dev.crew.client.job.Reduction;
import dev.crew.client.job.Resubmission;
import dev.crew.client.job.ResultHandler;
import dev.crew.client.job.Stages;
import dev.crew.client.job.TaskChoice;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.ClusterSecret;
import dev.crew.common.EmbeddedWorker;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobSigner;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.Redo;
import dev.crew.common.Reducer;
import dev.crew.common.ResultBudget;
import dev.crew.common.ResultHoldings;
import dev.crew.common.SecretFingerprint;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.common.view.ClusterSnapshot;
import dev.crew.common.view.ClusterWatch;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A program's way into a Crew cluster: submits jobs and reads the cluster's state. One client is
 * safe to share between threads and runs any number of jobs at once; close it when done.
 *
 * <p>{@link #connect} joins a running cluster as a Hazelcast client; {@link #embedded()} starts a
 * worker in this process (the crew-worker jar must be on the class path), the same one {@code
 * coordinator run} uses.
 */
public final class CrewClient implements AutoCloseable {
  /** Jobs of the cluster a {@link #snapshot()} shows, newest first. */
  private static final int SNAPSHOT_JOBS = 20;

  private final HazelcastInstance hazelcast;
  private final @Nullable EmbeddedWorker embedded;
  private final @Nullable JobSigner signer;
  private final String cluster;
  private final TaskLedger ledger;
  private final TaskCatalog localTasks;
  private final Set<Thread> runs = ConcurrentHashMap.newKeySet();
  private @Nullable ClusterWatch watch;
  private volatile boolean closing;

  private CrewClient(
      HazelcastInstance hazelcast,
      @Nullable EmbeddedWorker embedded,
      @Nullable JobSigner signer,
      String cluster) {
    this.hazelcast = hazelcast;
    this.embedded = embedded;
    this.signer = signer;
    this.cluster = cluster;
    this.ledger = JobRun.ledgerOf(hazelcast);
    this.localTasks = TaskCatalog.load(Thread.currentThread().getContextClassLoader());
  }

  /**
   * Connects to a running cluster.
   *
   * @param connection where the cluster is, and its secret
   * @return a connected client
   * @throws CrewClientException if no member answers in time, or the workers hold another secret
   *     (they would refuse every job)
   */
  public static CrewClient connect(Connection connection) {
    HazelcastInstance hazelcast;
    try {
      hazelcast =
          HazelcastClient.newHazelcastClient(
              ClusterConfigs.client(
                  connection.cluster(),
                  connection.addresses(),
                  connection.timeout(),
                  connection.signer().map(JobSigner::sealer).orElse(null)));
    } catch (IllegalStateException e) {
      throw new CrewClientException(
          "cannot reach cluster '"
              + connection.cluster()
              + "' at "
              + String.join(",", connection.addresses())
              + " (no member answered within "
              + connection.timeout().toMillis() / 1000.0
              + " s; is a worker running there, with the same cluster name?)",
          e);
    }
    Optional<String> mismatch =
        SecretFingerprint.mismatch(
            hazelcast.getCluster().getMembers(),
            SecretFingerprint.of(connection.signer()),
            "this client");
    if (mismatch.isPresent()) {
      hazelcast.shutdown();
      throw new CrewClientException(
          "cluster '"
              + connection.cluster()
              + "' would refuse this client's jobs: "
              + mismatch.get()
              + "; use the workers' secret");
    }
    return new CrewClient(hazelcast, null, connection.signer().orElse(null), connection.cluster());
  }

  /**
   * Starts a worker in this process that uses every core, and connects to it.
   *
   * @return a client of a private one-member cluster that ends when the client is closed
   * @throws CrewClientException if the crew-worker jar is not on the class path
   */
  public static CrewClient embedded() {
    return embedded(Runtime.getRuntime().availableProcessors(), 1_000);
  }

  /**
   * Starts a worker in this process, and connects to it. Its cluster takes no other member, runs
   * only this client's jobs, and may run commands ({@code exec}) as the user of this process.
   *
   * @param cpuThreads threads of its CPU lane, at least 1
   * @param ioConcurrency items its I/O lane keeps in flight at most, at least 1
   * @return a client of a private one-member cluster that ends when the client is closed
   * @throws CrewClientException if the crew-worker jar is not on the class path
   */
  public static CrewClient embedded(int cpuThreads, int ioConcurrency) {
    JobSigner signer = JobSigner.of(ClusterSecret.random());
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    EmbeddedWorker worker;
    try {
      worker =
          EmbeddedWorker.start(cpuThreads, ioConcurrency, signer, TaskCatalog.load(loader), loader);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new CrewClientException(e.getMessage(), e);
    }
    HazelcastInstance member = worker.hazelcast();
    return new CrewClient(member, worker, signer, member.getConfig().getClusterName());
  }

  /**
   * Submits a job and returns at once; the job runs on the cluster while this client reads its
   * results.
   *
   * @param spec the job
   * @return a handle on it
   * @throws CrewClientException if the task is unknown, its parameters are refused, no worker
   *     offers it, or the id is taken by other work; nothing is queued then
   */
  public JobHandle submit(JobSpec spec) {
    Optional<Task> localTask = localTasks.find(spec.task());
    Params params;
    try {
      params = Params.parse(spec.paramPairs());
      if (localTask.isPresent()) {
        localTask.get().bind(params);
      }
    } catch (IllegalArgumentException e) {
      throw new CrewClientException(e.getMessage(), e);
    }
    Optional<Reducer> reducer = spec.reduce().map(CrewClient::reducer);
    ClusterView view = workers();
    boolean autoLane =
        spec.then().isEmpty() // a pipeline's lanes are set when it is stored
            && LaneProbe.chooses(
                false,
                spec.lane().isPresent(),
                localTask.map(Task::declaredLane),
                view.declaresLane(spec.task()));
    List<dev.crew.common.Stage> then;
    try {
      then = Stages.resolve(spec.then(), localTasks, view);
    } catch (IllegalArgumentException e) {
      throw new CrewClientException(e.getMessage(), e);
    }
    Lane declared;
    try {
      declared =
          spec.lane().orElseGet(() -> TaskChoice.laneOf(spec.task(), localTask, view, localTasks));
      TaskChoice.requireOffered(spec.task(), localTask, view);
    } catch (IllegalArgumentException e) {
      throw new CrewClientException(e.getMessage(), e);
    }
    Lane lane = autoLane ? LaneProbe.probeLane() : declared;
    List<JobRun.Target> broadcastTo = List.of();
    if (spec.broadcast()) {
      broadcastTo = BroadcastTargets.of(view, spec.task());
      if (broadcastTo.isEmpty()) {
        throw new CrewClientException(
            "a broadcast needs workers in the cluster now: the job runs on those of its start");
      }
    }
    ItemSource source = open(spec.input());
    String jobId = spec.jobId().orElseGet(() -> JobRun.newJobId(spec.task()));
    Job job =
        Job.submitting(jobId, spec.task(), lane, params, System.currentTimeMillis())
            .withPolicy(spec.retries(), spec.timeout().toMillis())
            .withRetention(spec.retention().toMillis())
            .withInputDigest(source.digest().orElse(""))
            .withThen(then);
    try {
      if (spec.jobId().isPresent()) {
        Resubmission.check(hazelcast.getMap(Names.JOBS), job, source);
      }
    } catch (JobIdTakenException e) {
      closeQuietly(source);
      throw new CrewClientException(e.getMessage(), e);
    } catch (java.io.IOException e) {
      closeQuietly(source);
      throw new CrewClientException("job " + jobId + ": " + e.getMessage(), e);
    }
    int slots = Math.max(1, view.slots(lane));
    ChunkPlanner planner =
        ChunkPlanner.parse(
            spec.chunk(),
            lane,
            Math.max(1, view.workers().size()),
            slots,
            source.total(),
            Duration.ofMillis(200));
    Reduction reduction = reducer.map(Reduction::new).orElse(null);
    boolean keep = spec.jobId().isPresent();
    IMap<String, ResultBudget> budgets = hazelcast.getMap(Names.BUDGETS);
    Redo.idempotent(() -> budgets.putIfAbsent(jobId, new ResultBudget(jobId, 0, keep)));
    long keepLimit =
        new ResultBudget(jobId, 0, keep)
            .keepLimit(new ResultHoldings(hazelcast, ledger).clusterLimit());
    RunningJob handle = new RunningJob(jobId, this, spec.discardResults(), reduction);
    ResultHandler handler = handle.handler();
    if (spec.ordered()) {
      handler = new InOrder(handler);
    }
    ResultHandler results = handler;
    ItemSource input = handle.watching(source);
    JobRun.Options options = new JobRun.Options(false, keep, slots, signer, keepLimit, broadcastTo);
    Optional<LaneProbe> laneProbe =
        autoLane && !spec.broadcast()
            ? Optional.of(
                LaneProbe.of(
                    spec.chunk(), view.workers().size(), view.slots(Lane.IO), source.total()))
            : Optional.empty();
    Thread run =
        Thread.ofPlatform()
            .name("crew-job-" + jobId)
            .daemon(true)
            .unstarted(
                () -> {
                  Abandonment abandonment = new Abandonment(hazelcast, jobId);
                  try (ItemSource in = input) {
                    Outcome outcome =
                        new JobRun(hazelcast, ledger)
                            .run(
                                job,
                                in,
                                planner,
                                results,
                                handle.progressSink(),
                                options,
                                laneProbe);
                    results.flush();
                    handle.finished(outcome);
                  } catch (Exception | Error e) {
                    String message =
                        closing
                            ? "job "
                                + jobId
                                + ": the client was closed before the job ended; its queued"
                                + " tasks still run"
                            : failure(jobId, e);
                    handle.failed(message, e, abandonment);
                  } finally {
                    runs.remove(Thread.currentThread());
                  }
                });
    runs.add(run);
    run.start();
    return handle;
  }

  private static String failure(String jobId, Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return e instanceof BadInputException || e.getCause() instanceof IllegalArgumentException
        ? "job " + jobId + ": bad input: " + message
        : "job " + jobId + ": " + message;
  }

  private static Reducer reducer(String name) {
    try {
      return Reduction.find(name, Thread.currentThread().getContextClassLoader());
    } catch (IllegalArgumentException e) {
      throw new CrewClientException(e.getMessage(), e);
    }
  }

  private static ItemSource open(JobSpec.Input input) {
    return switch (input) {
      case JobSpec.Input.Range range -> new RangeSource(range.first(), range.last());
      case JobSpec.Input.Items items -> {
        try {
          yield new IteratorSource(items.items().get(), items.size(), items.onClose());
        } catch (IllegalStateException e) {
          throw new CrewClientException(e.getMessage(), e);
        }
      }
    };
  }

  private static void closeQuietly(ItemSource source) {
    try {
      source.close();
    } catch (Exception e) {
      // Refused before anything was read: nothing more to do.
    }
  }

  Optional<Job> storedJob(String jobId) {
    IMap<String, Job> jobs = hazelcast.getMap(Names.JOBS);
    return JobRecords.get(jobs, jobId).filter(job -> !job.forged());
  }

  Optional<Cancellation.Result> cancel(Job job) {
    return Cancellation.cancel(hazelcast, ledger, job);
  }

  /**
   * The cluster's workers now.
   *
   * @return each worker with its capacity and tasks
   */
  public ClusterView workers() {
    return ClusterView.of(hazelcast);
  }

  /**
   * The cluster now, as {@code coordinator cluster} and the dashboard show it: workers' live
   * numbers, queue depths, the newest jobs with their progress, recent failures and events.
   *
   * @return a snapshot; rates are per second since the previous snapshot of this client
   */
  public synchronized ClusterSnapshot snapshot() {
    if (watch == null) {
      watch = new ClusterWatch(hazelcast, cluster, SNAPSHOT_JOBS, System::currentTimeMillis);
    }
    return watch.read();
  }

  /**
   * Stops following the running jobs (they go on in the cluster, as after a coordinator's exit),
   * disconnects, and stops the embedded worker if there is one.
   */
  @Override
  public void close() {
    closing = true;
    for (Thread run : runs) {
      run.interrupt();
    }
    for (Thread run : runs) {
      try {
        run.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (embedded != null) {
      embedded.close();
    } else {
      hazelcast.shutdown();
    }
  }
}
