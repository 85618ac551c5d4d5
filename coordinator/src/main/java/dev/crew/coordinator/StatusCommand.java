package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.client.job.JobRun;
import dev.crew.common.Admission;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobState;
import dev.crew.common.Names;
import dev.crew.common.ResultHoldings;
import dev.crew.common.TaskResult;
import dev.crew.common.TerminalText;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.common.view.JobCounts;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code coordinator status}: the cluster's jobs, or one job in detail. */
@Command(
    name = "status",
    header = "Show the cluster's jobs, or one job: state, items done and failed.",
    mixinStandardHelpOptions = true)
final class StatusCommand extends ClusterCommandBase implements Callable<Integer> {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "JOB",
      description = "A job id (default: every job).")
  String jobId;

  @Option(
      names = "--last",
      paramLabel = "N",
      defaultValue = "50",
      description = "Without a JOB: how many of the most recent jobs (default ${DEFAULT-VALUE}).")
  int last;

  @Option(names = "--all", description = "Without a JOB: every stored job.")
  boolean all;

  @Override
  public Integer call() {
    if (last < 1) {
      throw CrewException.usage("--last must be at least 1, not " + last);
    }
    HazelcastInstance hazelcast = connect();
    try {
      IMap<String, Job> jobs = hazelcast.getMap(Names.JOBS);
      IMap<String, TaskResult> results = hazelcast.getMap(Names.RESULTS);
      TaskLedger ledger = JobRun.ledgerOf(hazelcast);
      ResultHoldings holdings = new ResultHoldings(hazelcast, ledger);
      if (jobId != null) {
        Job job = requireJob(jobs, jobId);
        JobProgress p = JobProgress.of(job, results, ledger);
        out()
            .printf(
                "job %s: %s%n  task %s on the %s lane, params %s%n  items %s done, %d ok, %d failed; tasks %d/%s%n"
                    + "  submitted %s ago%n",
                TerminalText.of(job.id()),
                p.state().name().toLowerCase(Locale.ROOT),
                TerminalText.of(job.task()),
                job.lane().id(),
                TerminalText.of(job.params().values()),
                p.done(),
                p.ok(),
                p.failed(),
                p.tasksDone(),
                job.totalsKnown() ? Long.toString(job.totalTasks()) : "?",
                age(job));
        if (job.stages() > 1) {
          // A job done has every task past every stage, whatever its ledger still holds.
          out()
              .println(
                  "  "
                      + stagesLine(
                          job,
                          p.state() == JobState.DONE
                              ? java.util.Collections.nCopies(job.stages(), job.totalTasks())
                              : ledger.tally(job.id()).pastStages()));
        }
        if (!p.state().isFinal()
            && holdings.admission(job.id()) instanceof Admission.Paused paused) {
          out().println("  " + TerminalText.of(paused.describe(job.id())));
        }
        out().flush();
        return ExitCodes.OK;
      }
      // Only the jobs shown are read and counted: with thousands stored, counting each took long.
      JobRecords.Recent recent =
          all ? JobRecords.allNewestFirst(jobs) : JobRecords.recent(jobs, last);
      List<Job> shown = recent.jobs();
      Map<String, JobTally> tallies = ledger.tallies();
      if (recent.stored() == 0) {
        out().println("no jobs in cluster '" + options().cluster + "'");
      } else {
        String format = "%-24s %-12s %-4s %-10s %-21s %-8s %s%n";
        out().printf(format, "JOB", "TASK", "LANE", "STATE", "DONE/TOTAL", "FAILED", "AGE");
        Map<String, JobCounts> counts = JobCounts.of(shown, results, tallies);
        for (Job job : shown) {
          JobProgress p = JobProgress.of(job, counts.get(job.id()));
          out()
              .printf(
                  format,
                  TerminalText.of(job.id()),
                  TerminalText.of(job.task()),
                  job.lane().id(),
                  !p.state().isFinal() && holdings.admission(job.id()) instanceof Admission.Paused
                      ? "paused"
                      : p.state().name().toLowerCase(Locale.ROOT),
                  p.done(),
                  p.failed(),
                  age(job));
        }
      }
      SnapshotText.stored(shown.size(), recent.stored(), recent.foreign()).forEach(out()::println);
      out().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }

  /**
   * A pipeline's stages, each with its tasks past it (recorded there) out of the job's: e.g. {@code
   * stages: 1 fib 10000/10000, 2 sum-squares 6021/10000 (io), 3 noop 5988/10000}.
   */
  static String stagesLine(Job job, List<Long> pastStages) {
    StringBuilder line = new StringBuilder("stages (tasks past each):");
    for (int stage = 0; stage < job.stages(); stage++) {
      line.append(stage == 0 ? " " : ", ")
          .append(stage + 1)
          .append(' ')
          .append(TerminalText.of(job.taskOf(stage)))
          .append(' ')
          .append(stage < pastStages.size() ? pastStages.get(stage) : 0)
          .append('/')
          .append(job.totalsKnown() ? Long.toString(job.totalTasks()) : "?")
          .append(" (")
          .append(job.laneOf(stage).id())
          .append(')');
    }
    return line.toString();
  }

  static String age(Job job) {
    Duration age = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - job.createdMillis()));
    if (age.toMinutes() < 1) {
      return age.toSeconds() + "s";
    }
    if (age.toHours() < 1) {
      return age.toMinutes() + "m";
    }
    return age.toHours() < 48 ? age.toHours() + "h" : age.toDays() + "d";
  }
}
