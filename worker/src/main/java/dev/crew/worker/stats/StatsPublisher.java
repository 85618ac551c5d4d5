package dev.crew.worker.stats;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.WorkerStats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this worker's {@link WorkerStats} into the {@link Names#STATS} map under its member uuid
 * every interval, so a client sees every worker's live numbers with one read of a small map;
 * removes the entry when the worker leaves.
 */
public final class StatsPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatsPublisher.class);

  private final HazelcastInstance hazelcast;
  private final IMap<String, WorkerStats> stats;

  /** The key last written: the member's uuid, which changes when it merges back after a split. */
  private volatile String uuid;

  private final String name;
  private final String host;
  private final int cores;
  private final WorkerMeters meters;
  private final LongSupplier clockMillis;
  private final Supplier<List<WorkerStats.KeyLimit>> ioKeys;
  private final long startedMillis;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("crew-stats").daemon(true).factory());
  private long lastItems;
  private long lastMillis;

  public StatsPublisher(
      HazelcastInstance hazelcast,
      String name,
      int cores,
      WorkerMeters meters,
      LongSupplier clockMillis,
      Supplier<List<WorkerStats.KeyLimit>> ioKeys) {
    this.hazelcast = hazelcast;
    this.stats = hazelcast.getMap(Names.STATS);
    this.uuid = hazelcast.getCluster().getLocalMember().getUuid().toString();
    this.host = hazelcast.getCluster().getLocalMember().getAddress().getHost();
    this.name = name;
    this.cores = cores;
    this.meters = meters;
    this.clockMillis = clockMillis;
    this.ioKeys = ioKeys;
    this.startedMillis = clockMillis.getAsLong();
    this.lastMillis = startedMillis;
  }

  /**
   * Publishes now (so a view right after the start sees this worker) and then every {@code
   * interval}.
   */
  public void start(Duration interval) {
    publishQuietly();
    timer.scheduleAtFixedRate(
        this::publishQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void publishQuietly() {
    try {
      String now = hazelcast.getCluster().getLocalMember().getUuid().toString();
      if (!now.equals(uuid)) {
        stats.delete(
            uuid); // rejoined after a split under a new uuid: views list members by their current
        // one
        uuid = now;
      }
      stats.set(uuid, current());
    } catch (RuntimeException e) {
      log.debug("could not publish stats: {}", e.toString());
    }
  }

  /** The numbers as of now; the rate is over the time since the previous call. */
  synchronized WorkerStats current() {
    long now = clockMillis.getAsLong();
    long items = meters.itemsOk() + meters.itemsFailed();
    double rate = now > lastMillis ? (items - lastItems) * 1000.0 / (now - lastMillis) : 0;
    lastItems = items;
    lastMillis = now;
    int cpuSlots = 0, cpuBusy = 0, ioSlots = 0, ioBusy = 0;
    boolean ioAdaptive = false;
    for (LaneLoad lane : meters.lanes()) {
      if (lane.lane() == Lane.CPU) {
        cpuSlots += lane.slots().getAsInt();
        cpuBusy += lane.busy().getAsInt();
      } else {
        ioSlots += lane.slots().getAsInt();
        ioAdaptive |= lane.adaptive();
        ioBusy += lane.busy().getAsInt();
      }
    }
    return new WorkerStats(
        name,
        host,
        cores,
        cpuSlots,
        cpuBusy,
        ioSlots,
        ioBusy,
        ioAdaptive,
        meters.itemsOk(),
        meters.itemsFailed(),
        meters.tasksDone(),
        rate,
        meters.requeues(),
        meters.refusals(),
        meters.duplicates(),
        startedMillis,
        now,
        meters.jobsDone(),
        ioKeys.get());
  }

  /** Stops publishing and removes this worker's entry, so views do not show a worker that left. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      stats.delete(uuid);
    } catch (RuntimeException e) {
      // the member is already shutting down; views drop entries of workers that are not members
    }
  }
}
