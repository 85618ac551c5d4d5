package dev.crew.bench.httpclients;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issues GETs with one client, as http-get does (a blocking call per item on a virtual thread, at
 * most CONCURRENCY at once), and prints one tab-separated line: client, GETs, seconds, CPU
 * microseconds per GET, peak RSS in KiB, failures. A warm-up of WARMUP GETs runs first and is not
 * counted in the time or CPU (the peak RSS covers both).
 *
 * <p>Usage: ClientBench CLIENT URL COUNT CONCURRENCY WARMUP; item i's URL is URL followed by i.
 */
public final class ClientBench {
  private ClientBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: ClientBench CLIENT URL COUNT CONCURRENCY WARMUP");
      System.exit(2);
    }
    String name = args[0];
    String url = args[1];
    int count = Integer.parseInt(args[2]);
    int concurrency = Integer.parseInt(args[3]);
    int warmup = Integer.parseInt(args[4]);
    try (Fetcher fetcher = Fetcher.named(name, concurrency)) {
      run(fetcher, url, warmup, concurrency);
      long cpuBefore = processCpuNanos();
      long start = System.nanoTime();
      Run timed = run(fetcher, url, count, concurrency);
      long seconds = System.nanoTime() - start;
      long cpu = processCpuNanos() - cpuBefore;
      System.out.printf(
          "%s\t%d\t%.3f\t%.1f\t%d\t%d\t%s%n",
          name,
          count,
          seconds / 1e9,
          cpu / 1e3 / count,
          peakRssKib(),
          timed.failures(),
          fetcher.describe());
      if (timed.failures() > 0) {
        System.err.println(timed.failures() + " GETs failed; the first: " + timed.firstError());
        System.exit(1);
      }
    }
  }

  /** How many GETs of a run failed, and the first failure's text. */
  private record Run(int failures, String firstError) {}

  private static Run run(Fetcher fetcher, String url, int count, int concurrency)
      throws InterruptedException {
    Semaphore slots = new Semaphore(concurrency);
    AtomicInteger failures = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>("");
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        slots.acquire();
        URI uri = URI.create(url + i);
        threads.execute(
            () -> {
              try {
                int status = fetcher.get(uri).status();
                if (status != 200) {
                  throw new IllegalStateException("status " + status);
                }
              } catch (Exception e) {
                failures.incrementAndGet();
                firstError.compareAndSet("", e.toString());
              } finally {
                slots.release();
              }
            });
      }
    }
    return new Run(failures.get(), firstError.get());
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** VmHWM from /proc/self/status: the most resident memory the process has had. */
  private static long peakRssKib() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }
}
