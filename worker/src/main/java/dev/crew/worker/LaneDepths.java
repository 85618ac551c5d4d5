package dev.crew.worker;

import dev.crew.common.Job;
import dev.crew.common.Lane;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Tasks queued cluster-wide per lane, for the queue-depth gauge an autoscaler reads: counted from
 * the ledger's tallies (one pass over its active blocks), at most once per {@code refresh} however
 * often it is scraped.
 */
final class LaneDepths {
  private final TaskLedger ledger;
  private final Function<String, @Nullable Job> jobs;
  private final LongSupplier nanoClock;
  private final Duration refresh;
  private Map<Lane, Long> depths = Map.of();
  private long readNanos;
  private boolean read;

  LaneDepths(
      TaskLedger ledger,
      Function<String, @Nullable Job> jobs,
      LongSupplier nanoClock,
      Duration refresh) {
    this.ledger = ledger;
    this.jobs = jobs;
    this.nanoClock = nanoClock;
    this.refresh = refresh;
  }

  synchronized long queued(Lane lane) {
    long now = nanoClock.getAsLong();
    if (!read || now - readNanos >= refresh.toNanos()) {
      Map<Lane, Long> counted = new EnumMap<>(Lane.class);
      for (Map.Entry<String, JobTally> job : ledger.activeTallies().entrySet()) {
        Job known = jobs.apply(job.getKey());
        if (known != null) {
          counted.merge(known.lane(), job.getValue().queued(), Long::sum);
        }
      }
      depths = counted;
      readNanos = now;
      read = true;
    }
    return depths.getOrDefault(lane, 0L);
  }
}
