package dev.crew.worker;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobRemoval;
import dev.crew.common.JobRetention;
import dev.crew.common.Names;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces jobs' retention in the cluster, whoever submitted them and whether or not their
 * coordinator is still there: every member sweeps the job records it owns, notes when each has
 * ended, and removes those whose retention has passed with their results and ledger blocks ({@link
 * JobRemoval}). Each member sweeping its own partitions needs no leader, reads nothing over the
 * network, and goes on with the partitions of a member that left.
 *
 * <p>A sweep, not Hazelcast's per-entry time to live: a job's record is rewritten after it ends
 * (which resets an entry's time to live to the map's), and its results and blocks are many entries
 * that must go with it.
 */
final class RetentionSweep implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RetentionSweep.class);

  /** How often a member sweeps: the retention of a job is kept to within this. */
  static final Duration INTERVAL = Duration.ofSeconds(5);

  private final HazelcastInstance hazelcast;
  private final TaskLedger ledger;
  private final JobRemoval removal;
  private final LongSupplier clockMillis;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("crew-retention").daemon(true).factory());
  private int foreignSeen;

  RetentionSweep(HazelcastInstance hazelcast, TaskLedger ledger, LongSupplier clockMillis) {
    this.hazelcast = hazelcast;
    this.ledger = ledger;
    this.removal = new JobRemoval(hazelcast, ledger);
    this.clockMillis = clockMillis;
  }

  void start(Duration every) {
    timer.scheduleWithFixedDelay(
        this::sweepLogged, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void sweepLogged() {
    try {
      sweep();
    } catch (RuntimeException e) {
      if (hazelcast.getLifecycleService().isRunning()) {
        log.warn("retention sweep failed, trying again at the next: {}", e.toString());
      }
    }
  }

  /**
   * One sweep of the job records this member owns.
   *
   * @return how many jobs it removed
   */
  int sweep() {
    IMap<Object, Object> jobs = hazelcast.getMap(Names.JOBS);
    Set<String> local = new java.util.HashSet<>();
    int foreign = 0;
    for (Object key : jobs.localKeySet()) {
      if (key instanceof String id) {
        local.add(id);
      } else {
        foreign++;
      }
    }
    JobRecords records = JobRecords.some(jobs, local);
    foreign += records.foreign();
    if (foreign != foreignSeen) {
      foreignSeen = foreign;
      if (foreign > 0) {
        log.warn(
            "{} entries of the jobs map this member owns are not Crew jobs under their own id:"
                + " skipped",
            foreign);
      }
    }
    long now = clockMillis.getAsLong();
    int removed = 0;
    Function<String, JobTally> tally = new OnceTallies(ledger);
    for (Job job : records.jobs()) {
      boolean ended = JobRetention.ended(job, tally);
      switch (JobRetention.step(job, ended, now)) {
        case KEEP -> {}
        case STAMP -> jobs.replace(job.id(), job, job.withEnded(now));
        case UNSTAMP -> jobs.replace(job.id(), job, job.withEnded(0));
        case REMOVE -> {
          long results = removal.remove(job);
          if (results >= 0) {
            removed++;
            log.debug("job {} removed with {} archived results", job.id(), results);
          }
        }
      }
    }
    if (removed > 0) {
      log.info("removed {} jobs past their retention, with their results", removed);
    }
    return removed;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /**
   * A job's tally as far as the sweep needs it, asked only for jobs whose state does not tell
   * whether they ended (running, abandoned). The tallies of the ledger's active blocks are read at
   * the first question, once per sweep for all jobs: a job with a task still open there has not
   * ended (it has a task neither the ledger nor its submitter is done with), and that tally says
   * so. Only for a job with none are all the ledger's blocks tallied (its consumed tasks decide),
   * once per sweep however many such jobs there are: a tally of one job is a pass over every entry
   * too. A pass over every block of every job kept took 80-230 ms of the partition threads with 42
   * jobs of 20,000 one-item tasks kept, and was made every sweep while a job ran, claims and
   * records waiting for it.
   */
  private static final class OnceTallies implements Function<String, JobTally> {
    private final TaskLedger ledger;
    private @Nullable Map<String, JobTally> active;
    private @Nullable Map<String, JobTally> all;

    OnceTallies(TaskLedger ledger) {
      this.ledger = ledger;
    }

    @Override
    public JobTally apply(String jobId) {
      if (active == null) {
        active = ledger.activeTallies();
      }
      JobTally open = active.get(jobId);
      if (open != null && open.open() > 0) {
        return open;
      }
      if (all == null) {
        all = ledger.tallies();
      }
      return all.getOrDefault(jobId, JobTally.EMPTY);
    }
  }
}
