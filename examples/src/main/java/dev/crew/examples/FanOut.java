package dev.crew.examples;

import dev.crew.client.ClusterView;
import dev.crew.client.Connection;
import dev.crew.client.CrewClient;
import dev.crew.client.CrewClientException;
import dev.crew.client.ItemResult;
import dev.crew.client.JobHandle;
import dev.crew.client.JobSpec;
import dev.crew.client.JobSummary;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The N-workers pattern from plain Java: a CPU job and an I/O job run at once on the cluster's
 * workers, their results are read as they arrive and each one is checked; a third job is cancelled
 * after its first results.
 *
 * <p>Run it with {@code examples/run} against running workers; it connects where {@code
 * CREW_CONNECT} and {@code CREW_CLUSTER} say, signing with {@code CREW_SECRET} or {@code
 * CREW_SECRET_FILE}. Prints what it saw, and exits 0 if every result was right, 1 if not, 2 if it
 * could not run.
 */
public final class FanOut {
  private static final int CPU_ITEMS = 31;
  private static final int IO_ITEMS = 1_000;
  private static final int DOOMED_ITEMS = 400;
  private static final int DOOMED_READ = 10;

  private FanOut() {}

  public static void main(String[] args) {
    int exit;
    try {
      exit = run(Connection.fromEnvironment(), System.out);
    } catch (CrewClientException | IllegalArgumentException e) {
      System.err.println("fan-out: " + e.getMessage());
      exit = 2;
    }
    System.exit(exit);
  }

  static int run(Connection connection, PrintStream out) {
    List<String> problems = new ArrayList<>();
    try (CrewClient crew = CrewClient.connect(connection)) {
      out.println(
          "workers: "
              + crew.workers().workers().stream().map(ClusterView.WorkerView::name).toList());
      long started = System.nanoTime();

      // A CPU job, results in input order: fib(0) to fib(30).
      JobHandle cpu = crew.submit(JobSpec.task("fib").range(0, CPU_ITEMS - 1).ordered().build());
      // An I/O job at the same time: waits of 20 to 219 ms, one item per task.
      Random random = new Random(42);
      List<String> delays =
          Stream.generate(() -> Integer.toString(20 + random.nextInt(200)))
              .limit(IO_ITEMS)
              .toList();
      JobHandle io = crew.submit(JobSpec.task("sleep").items(delays).chunk(1).build());
      // A job we will not wait for: 400 slow items, cancelled once 10 have come back.
      JobHandle doomed =
          crew.submit(
              JobSpec.task("fib").items(Collections.nCopies(DOOMED_ITEMS, "32")).chunk(1).build());

      try (Stream<ItemResult> results = cpu.results()) {
        long expectedIndex = 0;
        for (ItemResult result : (Iterable<ItemResult>) results::iterator) {
          if (result.index() != expectedIndex++) {
            problems.add("cpu: item " + result.index() + " out of order");
          }
          String expected = Long.toString(fib((int) result.index()));
          if (!expected.equals(result.json())) {
            problems.add("cpu: fib(" + result.item() + ") came back as " + result.json());
          }
        }
        if (expectedIndex != CPU_ITEMS) {
          problems.add("cpu: " + expectedIndex + " results, not " + CPU_ITEMS);
        }
      }
      report(out, "cpu", cpu.summary().join(), started);

      BitSet seen = new BitSet(IO_ITEMS);
      try (Stream<ItemResult> results = io.results()) {
        Iterator<ItemResult> it = results.iterator();
        boolean first = true;
        while (it.hasNext()) {
          ItemResult result = it.next();
          if (first) {
            out.printf(
                "io: first result after %d ms, while the job was %s%n",
                millisSince(started), io.summary().isDone() ? "done" : "still running");
            if (io.summary().isDone()) {
              problems.add("io: the first result came only after the job ended");
            }
            first = false;
          }
          int index = (int) result.index();
          if (seen.get(index)) {
            problems.add("io: item " + index + " came twice");
          }
          seen.set(index);
          if (!result.ok() || !delays.get(index).equals(result.json())) {
            problems.add("io: item " + index + " came back as " + result.json() + result.error());
          }
        }
      }
      if (seen.cardinality() != IO_ITEMS) {
        problems.add("io: " + seen.cardinality() + " results, not " + IO_ITEMS);
      }
      report(out, "io", io.summary().join(), started);

      int read = 0;
      try (Stream<ItemResult> results = doomed.results()) {
        Iterator<ItemResult> it = results.iterator();
        while (it.hasNext()) {
          ItemResult result = it.next();
          if (!"2178309".equals(result.json())) {
            problems.add("cancelled job: fib(32) came back as " + result.json());
          }
          if (++read == DOOMED_READ) {
            out.println("cancelled: " + doomed.cancel());
          }
        }
      }
      JobSummary summary = doomed.summary().join();
      report(out, "cancel", summary, started);
      if (!summary.cancelled() || summary.items() >= DOOMED_ITEMS) {
        problems.add("cancel: the job was not cut short (" + summary.items() + " items ran)");
      }
    }
    problems.forEach(problem -> out.println("problem: " + problem));
    out.println(problems.isEmpty() ? "every result checked" : problems.size() + " problems");
    return problems.isEmpty() ? 0 : 1;
  }

  private static void report(PrintStream out, String name, JobSummary summary, long started) {
    out.printf(
        "%s: job %s: %d ok, %d failed%s at %d ms; items per worker: %s%n",
        name,
        summary.jobId(),
        summary.ok(),
        summary.failed(),
        summary.cancelled() ? ", cancelled" : "",
        millisSince(started),
        summary.perWorker());
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  private static long fib(int n) {
    long a = 0;
    long b = 1;
    for (int i = 0; i < n; i++) {
      long next = a + b;
      a = b;
      b = next;
    }
    return a;
  }
}
