package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.client.job.JobRun;
import dev.crew.common.Durations;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobRemoval;
import dev.crew.common.JobRetention;
import dev.crew.common.Names;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coordinator purge}: removes ended jobs and everything they keep, before their time. */
@Command(
    name = "purge",
    header = "Remove ended jobs (done, cancelled, refused, abandoned) and their results.",
    description = {
      "Give one of --job, --older-than or --all-finished. A job that may still run is never removed:",
      "named with --job, nothing is removed and the exit code is 2; otherwise it is left alone.",
      "The workers remove each ended job by themselves once its --retention has passed."
    },
    mixinStandardHelpOptions = true)
final class PurgeCommand extends ClusterCommandBase implements Callable<Integer> {

  @Option(
      names = "--job",
      paramLabel = "ID",
      arity = "1..*",
      description = "These jobs (each must have ended).")
  List<String> jobIds;

  @Option(
      names = "--older-than",
      paramLabel = "DURATION",
      description = "Every job that ended longer ago than this, e.g. 6h or 7d.")
  String olderThan;

  @Option(names = "--all-finished", description = "Every job that has ended.")
  boolean allFinished;

  @Override
  public Integer call() {
    int ways = (jobIds != null ? 1 : 0) + (olderThan != null ? 1 : 0) + (allFinished ? 1 : 0);
    if (ways != 1) {
      throw CrewException.usage(
          "purge needs exactly one of --job ID..., --older-than DURATION or --all-finished");
    }
    Duration minAge;
    try {
      minAge = olderThan == null ? Duration.ZERO : Durations.parse(olderThan, "--older-than");
    } catch (IllegalArgumentException e) {
      throw CrewException.usage(e.getMessage());
    }
    HazelcastInstance hazelcast = connect();
    try {
      IMap<String, Job> jobs = hazelcast.getMap(Names.JOBS);
      TaskLedger ledger = JobRun.ledgerOf(hazelcast);
      long now = System.currentTimeMillis();
      List<Job> chosen = new ArrayList<>();
      if (jobIds != null) {
        List<String> refused = new ArrayList<>();
        for (String id : jobIds) {
          Optional<Job> job = JobRecords.get(jobs, id);
          if (job.isEmpty()) {
            refused.add("no job '" + id + "' in cluster '" + options().cluster + "'");
          } else if (!JobRetention.ended(job.get(), ledger::tally)) {
            refused.add(
                "job "
                    + id
                    + " is "
                    + job.get().state().name().toLowerCase(Locale.ROOT)
                    + " and may still run: not purged (cancel it first)");
          } else {
            chosen.add(job.get());
          }
        }
        if (!refused.isEmpty()) {
          refused.forEach(line -> err().println("coordinator: " + line));
          err().println("coordinator: nothing was purged");
          err().flush();
          return ExitCodes.USAGE;
        }
      } else {
        JobRecords records = JobRecords.all(jobs);
        Map<String, JobTally> tallies = ledger.tallies();
        for (Job job : records.jobs()) {
          if (JobRetention.ended(job, id -> tallies.getOrDefault(id, JobTally.EMPTY))
              && JobRetention.endedAgo(job, now).compareTo(minAge) >= 0) {
            chosen.add(job);
          }
        }
        chosen.sort(Comparator.comparingLong(Job::createdMillis));
      }
      JobRemoval removal = new JobRemoval(hazelcast, ledger);
      int purged = 0;
      long results = 0;
      for (Job job : chosen) {
        long archived = removal.remove(job);
        if (archived < 0) {
          err().println("coordinator: job " + job.id() + " changed while being purged: kept");
          continue;
        }
        purged++;
        results += archived;
        out()
            .printf(
                "purged job %s (%s, ended %s ago): %d archived results%n",
                job.id(),
                job.state().name().toLowerCase(Locale.ROOT),
                ago(JobRetention.endedAgo(job, now)),
                archived);
      }
      out().printf("purged %d jobs, %d archived results%n", purged, results);
      out().flush();
      err().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }

  private static String ago(Duration age) {
    if (age.toMinutes() < 1) {
      return age.toSeconds() + "s";
    }
    if (age.toHours() < 1) {
      return age.toMinutes() + "m";
    }
    return age.toHours() < 48 ? age.toHours() + "h" : age.toDays() + "d";
  }
}
