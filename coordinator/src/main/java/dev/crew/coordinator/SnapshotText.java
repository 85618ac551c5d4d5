package dev.crew.coordinator;

import dev.crew.common.CrewEvent;
import dev.crew.common.TerminalText;
import dev.crew.common.WorkerStats;
import dev.crew.common.view.ClusterSnapshot;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link ClusterSnapshot} as text lines, shared by {@code cluster}, {@code jobs} and {@code top}.
 * Every text in a snapshot was written into the cluster by someone: each goes through {@link
 * TerminalText}.
 */
final class SnapshotText {
  private static final String WORKER_ROW = "  %-21s %-15s %5s %9s %11s %11s %8s %9s %4s %4s %4s";
  private static final String JOB_ROW = "  %-24s %-11s %-10s %-22s %9s %9s %7s";
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

  private SnapshotText() {}

  /** The header line: workers, cores, slots and the cluster's items per second. */
  static String summary(ClusterSnapshot s) {
    int cores = s.workers().stream().mapToInt(WorkerStats::cores).sum();
    int cpu = s.workers().stream().mapToInt(WorkerStats::cpuSlots).sum();
    int io = s.workers().stream().mapToInt(WorkerStats::ioSlots).sum();
    boolean adaptive = s.workers().stream().anyMatch(WorkerStats::ioAdaptive);
    return String.format(
        Locale.ROOT,
        "cluster '%s': %d workers, %d cores, %d cpu slots, %d io slots%s; %s items/s",
        TerminalText.of(s.cluster()),
        s.workers().size(),
        cores,
        cpu,
        io,
        adaptive ? " (auto)" : "",
        rate(s.itemsPerSecond()));
  }

  /**
   * One line per worker: lane slots busy/free, items done and failed, items per second, reliability
   * counts; under it, one line per limit its adaptive io lane keeps for a task or a target host.
   */
  static List<String> workers(ClusterSnapshot s) {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            WORKER_ROW,
            "WORKER",
            "HOST",
            "CORES",
            "CPU B/F",
            "IO B/LIMIT",
            "ITEMS DONE",
            "FAILED",
            "ITEMS/S",
            "REQ",
            "REF",
            "DUP"));
    for (WorkerStats w : s.workers()) {
      lines.add(
          String.format(
              Locale.ROOT,
              WORKER_ROW,
              TerminalText.of(w.name()),
              TerminalText.of(w.host()),
              w.cores(),
              w.cpuBusy() + "/" + (w.cpuSlots() - w.cpuBusy()),
              w.ioBusy() + "/" + w.ioSlots() + (w.ioAdaptive() ? "a" : ""),
              w.itemsDone(),
              w.itemsFailed(),
              rate(w.itemsPerSecond()),
              w.requeues(),
              w.refusals(),
              w.duplicates()));
      for (WorkerStats.KeyLimit key : w.ioKeys()) {
        lines.add(
            String.format(
                Locale.ROOT,
                "    io limit %5d, %5d in flight: %s",
                key.limit(),
                key.busy(),
                TerminalText.of(key.key())));
      }
    }
    return lines;
  }

  /** One line per lane queue: how many tasks wait in it. */
  static List<String> queues(ClusterSnapshot s) {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, Integer> queue : s.queues().entrySet()) {
      lines.add(
          String.format(
              Locale.ROOT,
              "queue %-3s %d tasks waiting",
              TerminalText.of(queue.getKey()),
              queue.getValue()));
    }
    return lines;
  }

  /** One line per recent job: state, progress, rate, failures. */
  static List<String> jobs(ClusterSnapshot s) {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT, JOB_ROW, "JOB", "TASK", "STATE", "PROGRESS", "DONE", "ITEMS/S", "FAILED"));
    for (ClusterSnapshot.JobRow j : s.jobs()) {
      boolean running = j.state().equals("running") || j.state().equals("submitting");
      lines.add(
          String.format(
              Locale.ROOT,
              JOB_ROW,
              TerminalText.of(j.id()),
              TerminalText.of(j.task()),
              TerminalText.of(j.state()),
              bar(j.fraction(), 15)
                  + (j.total() > 0
                      ? String.format(Locale.ROOT, " %3d%%", (int) (100 * j.fraction()))
                      : "    ?"),
              j.done() + "/" + (j.total() >= 0 ? Long.toString(j.total()) : "?"),
              running ? rate(j.itemsPerSecond()) : "-",
              j.failed()));
    }
    lines.addAll(stored(s.jobs().size(), s.storedJobs(), s.foreignJobs()));
    return lines;
  }

  /**
   * What a job list leaves out: the older of {@code stored} jobs when it shows {@code shown}, and
   * the entries of the jobs map that are not jobs. Empty when it leaves out nothing.
   */
  static List<String> stored(int shown, int stored, int foreign) {
    List<String> lines = new ArrayList<>();
    if (stored > shown) {
      lines.add(
          String.format(Locale.ROOT, "(the %,d most recent of %,d stored jobs)", shown, stored));
    }
    if (foreign > 0) {
      lines.add(
          String.format(
              Locale.ROOT,
              "(%,d entries of the jobs map are not Crew jobs or not signed with the cluster secret:"
                  + " skipped)",
              foreign));
    }
    return lines;
  }

  /** The latest failures and reliability events, newest events first. */
  static List<String> failuresAndEvents(ClusterSnapshot s, int max) {
    List<String> lines = new ArrayList<>();
    s.failures().stream()
        .limit(max)
        .forEach(
            f ->
                lines.add(
                    String.format(
                        Locale.ROOT,
                        "  failed  %s #%d %s: %s",
                        TerminalText.of(f.jobId()),
                        f.index(),
                        f.item() == null ? "" : TerminalText.of(f.item()),
                        TerminalText.of(f.error()))));
    for (CrewEvent e : s.events().subList(0, Math.min(max, s.events().size()))) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  %s %-9s %s: %s",
              CLOCK.format(Instant.ofEpochMilli(e.millis())),
              e.kind().name().toLowerCase(Locale.ROOT).replace("_dropped", ""),
              TerminalText.of(e.worker()),
              TerminalText.of(e.detail())));
    }
    return lines;
  }

  static String rate(double perSecond) {
    return perSecond >= 100
        ? String.format(Locale.ROOT, "%,.0f", perSecond)
        : String.format(Locale.ROOT, "%.1f", perSecond);
  }

  private static String bar(double fraction, int width) {
    int full = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
    return "[" + "#".repeat(full) + ".".repeat(width - full) + "]";
  }
}
