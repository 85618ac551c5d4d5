package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.client.ClusterView;
import dev.crew.client.job.Abandonment;
import dev.crew.client.job.BadInputException;
import dev.crew.client.job.BroadcastTargets;
import dev.crew.client.job.ChunkPlanner;
import dev.crew.client.job.InOrder;
import dev.crew.client.job.ItemSource;
import dev.crew.client.job.JobIdTakenException;
import dev.crew.client.job.JobRun;
import dev.crew.client.job.LaneProbe;
import dev.crew.client.job.Outcome;
import dev.crew.client.job.Progress;
import dev.crew.client.job.Reduction;
import dev.crew.client.job.Resubmission;
import dev.crew.client.job.ResultHandler;
import dev.crew.client.job.Stages;
import dev.crew.client.job.TaskChoice;
import dev.crew.common.Job;
import dev.crew.common.JobSigner;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Redo;
import dev.crew.common.ResultBudget;
import dev.crew.common.ResultHoldings;
import dev.crew.common.Stage;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.coordinator.job.BarProgress;
import dev.crew.coordinator.job.JsonLinesOutput;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Submits one job on a connected cluster and follows it to the end: what {@code submit} and {@code
 * run} share.
 */
final class JobLauncher {
  private final JobOptions options;
  private final PrintWriter out;
  private final PrintWriter err;

  JobLauncher(JobOptions options, PrintWriter out, PrintWriter err) {
    this.options = options;
    this.out = out;
    this.err = err;
  }

  /**
   * Checks everything that can be checked locally, then connects with {@code connect} and runs the
   * job.
   *
   * @return the exit code
   */
  int launch(
      Function<JobOptions.Checked, HazelcastInstance> connect,
      boolean detach,
      boolean embedded,
      JobSigner signer)
      throws Exception {
    JobOptions.Checked checked = options.check();
    TaskCatalog local = TaskCatalog.load(Thread.currentThread().getContextClassLoader());
    Optional<Task> localTask = local.find(checked.task());
    if (localTask.isPresent()) {
      bindOrRefuse(localTask.get(), checked);
    } else if (embedded) {
      // The embedded worker has exactly this process's tasks: no need to start it to know the name
      // is wrong.
      throw unknownTask(checked.task(), local.all().stream().map(Task::name).toList());
    }
    try (ItemSource source = options.openInput();
        OutputFile output = openOutput()) {
      Writer target = output.writer();
      HazelcastInstance hazelcast = connect.apply(checked);
      ClusterView view = ClusterView.of(hazelcast);
      Lane declared;
      try {
        declared =
            checked
                .lane()
                .orElseGet(() -> TaskChoice.laneOf(checked.task(), localTask, view, local));
        TaskChoice.requireOffered(checked.task(), localTask, view);
      } catch (IllegalArgumentException e) {
        throw CrewException.usage(e.getMessage());
      }
      List<Stage> stages;
      try {
        stages = Stages.resolve(checked.then(), local, view);
      } catch (IllegalArgumentException e) {
        throw CrewException.usage(e.getMessage());
      }
      boolean autoLane =
          stages.isEmpty() // a pipeline's lanes are set when it is stored
              && LaneProbe.chooses(
                  checked.autoLane(),
                  checked.lane().isPresent(),
                  localTask.map(Task::declaredLane),
                  view.declaresLane(checked.task()));
      // The job is stored on the lane its probes run on; the summary says the lane chosen.
      Lane lane = autoLane ? LaneProbe.probeLane() : declared;
      if (view.workers().isEmpty()) {
        err.println("coordinator: no workers in the cluster yet; the job waits for one to join");
      }
      List<JobRun.Target> broadcastTo = List.of();
      if (options.broadcast) {
        broadcastTo = BroadcastTargets.of(view, checked.task());
        if (broadcastTo.isEmpty()) {
          throw CrewException.usage(
              "--broadcast needs workers in the cluster now: the job runs on those of its start");
        }
        err.println(
            "coordinator: broadcast to "
                + broadcastTo.size()
                + (broadcastTo.size() == 1 ? " worker: " : " workers: ")
                + String.join(", ", broadcastTo.stream().map(JobRun.Target::worker).toList()));
      }
      String jobId = options.jobId != null ? options.jobId : JobRun.newJobId(checked.task());
      Job job =
          Job.submitting(jobId, checked.task(), lane, checked.params(), System.currentTimeMillis())
              .withPolicy(checked.retries(), checked.timeout().toMillis())
              .withRetention(checked.retention().toMillis())
              .withInputDigest(source.digest().orElse(""))
              .withThen(stages);
      if (options.jobId != null) {
        try {
          Resubmission.check(hazelcast.getMap(Names.JOBS), job, source);
        } catch (JobIdTakenException e) {
          throw CrewException.usage(e.getMessage());
        }
      }
      ChunkPlanner planner =
          ChunkPlanner.parse(
              checked.chunk(),
              lane,
              Math.max(1, view.workers().size()),
              Math.max(1, view.slots(lane)),
              source.total(),
              Duration.ofMillis(200));
      Optional<LaneProbe> laneProbe =
          autoLane && !options.broadcast
              ? Optional.of(
                  LaneProbe.of(
                      checked.chunk(), view.workers().size(), view.slots(Lane.IO), source.total()))
              : Optional.empty();
      Reduction reduction = checked.reduce().map(Reduction::new).orElse(null);
      ResultHandler handler =
          reduction != null ? reduction : new JsonLinesOutput(target, false, options.everyStage);
      if (options.ordered) {
        handler = new InOrder(handler);
      }
      TaskLedger ledger = JobRun.ledgerOf(hazelcast);
      ResultHoldings holdings = new ResultHoldings(hazelcast, ledger);
      long clusterLimit = holdings.clusterLimit();
      // A job with a chosen id can be submitted again to see all of it: it keeps results too, and
      // reading them with 'results' leaves them.
      ResultBudget budget =
          new ResultBudget(
              jobId, options.resultBudget(), options.keepResults || options.jobId != null);
      IMap<String, ResultBudget> budgets = hazelcast.getMap(Names.BUDGETS);
      Redo.idempotent(() -> budgets.putIfAbsent(jobId, budget));
      boolean keep = options.keepResults || detach || options.jobId != null;
      long keepLimit =
          new ResultBudget(jobId, options.resultBudget(), keep).keepLimit(clusterLimit);
      if (detach) {
        out.println(jobId);
        out.flush();
      }
      Outcome outcome;
      Abandonment abandonment = new Abandonment(hazelcast, jobId);
      Thread notice = detach ? PauseNotice.start(holdings, jobId, err) : null;
      try (Progress progress =
              progress(jobId, source.total(), detach || reduction != null || options.out != null);
          StopSignals stop =
              StopSignals.install(
                  () -> {
                    if (abandonment.abandon("its coordinator was stopped")) {
                      err.println(
                          "coordinator: stopped; job "
                              + jobId
                              + " abandoned while queuing its input"
                              + goOn(jobId));
                      err.flush();
                    }
                  })) {
        outcome =
            new JobRun(hazelcast, ledger)
                .run(
                    job,
                    source,
                    planner,
                    handler,
                    progress,
                    new JobRun.Options(
                        detach,
                        keep,
                        Math.max(1, view.slots(lane)),
                        signer,
                        keepLimit,
                        broadcastTo),
                    laneProbe);
      } catch (JobIdTakenException e) {
        throw CrewException.usage(e.getMessage());
      } catch (BadInputException e) {
        boolean abandoned = abandonment.abandon(e.getMessage());
        throw CrewException.usage(
            e.getMessage()
                + (abandoned
                    ? "; job " + jobId + " abandoned, the items before that line may have run"
                    : ""));
      } catch (Exception | Error e) {
        abandonment.abandon(Coordinator.messageOf(e));
        throw e;
      } finally {
        if (notice != null) {
          notice.interrupt();
        }
      }
      target.flush();
      output.commit();
      if (detach) {
        err.println(
            "coordinator: job "
                + jobId
                + " queued ("
                + outcome.tasks()
                + " tasks); follow it with: coordinator status "
                + jobId);
        return ExitCodes.OK;
      }
      if (reduction != null) {
        out.println(reduction.value());
        out.flush();
        if (reduction.leftOut() > 0) {
          err.println(
              "coordinator: "
                  + reduction.leftOut()
                  + " results that the "
                  + reduction.name()
                  + " could not use (e.g. not numbers) were left out");
        }
      }
      err.println(outcome.summary());
      err.flush();
      if (outcome.cancelled()) {
        return ExitCodes.NOT_COMPLETED;
      }
      return outcome.failed() > 0 ? ExitCodes.ITEMS_FAILED : ExitCodes.OK;
    }
  }

  private static void bindOrRefuse(Task task, JobOptions.Checked checked) {
    try {
      task.bind(checked.params());
    } catch (IllegalArgumentException e) {
      throw CrewException.usage(e.getMessage());
    }
  }

  private static CrewException unknownTask(String task, Collection<String> known) {
    return CrewException.usage(TaskChoice.unknown(task, known));
  }

  private static String goOn(String jobId) {
    return "; its queued tasks still run, and the same command with --job-id " + jobId + " goes on";
  }

  /** Where the JSON lines go: stdout, or the {@code --out} file put in place once the job ends. */
  private OutputFile openOutput() {
    return options.out == null
        ? OutputFile.inPlace(new NonClosing(out))
        : OutputFile.open(options.out);
  }

  private Progress progress(String jobId, long total, boolean stdoutFree) {
    if (options.noProgress || !stderrIsTerminal()) {
      return Progress.NONE;
    }
    boolean sameTerminal = !stdoutFree && "1".equals(System.getenv("CREW_STDOUT_TTY"));
    if (sameTerminal) {
      // Result lines and a redrawn bar on one terminal garble each other; the summary line still
      // follows.
      return Progress.NONE;
    }
    return new BarProgress(
        jobId, total, new PrintStream(new FileOutputStream(FileDescriptor.err), true));
  }

  private static boolean stderrIsTerminal() {
    String tty = System.getenv("CREW_STDERR_TTY");
    return tty != null ? tty.equals("1") : System.console() != null;
  }

  /** Lets the job write to stdout through a try-with-resources without closing stdout. */
  private static final class NonClosing extends Writer {
    private final Writer delegate;

    NonClosing(Writer delegate) {
      this.delegate = delegate;
    }

    @Override
    public void write(char[] buffer, int offset, int length) throws IOException {
      delegate.write(buffer, offset, length);
    }

    @Override
    public void flush() throws IOException {
      delegate.flush();
    }

    @Override
    public void close() throws IOException {
      delegate.flush();
    }
  }
}
