package dev.crew.coordinator;

import com.sun.net.httpserver.HttpServer;
import dev.crew.common.ClusterSecret;
import dev.crew.common.EmbeddedWorker;
import dev.crew.common.JobSigner;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code coordinator demo}: a CPU-bound job and an I/O-bound job on an in-process worker, the
 * README's first command.
 */
@Command(
    name = "demo",
    header =
        "Show Crew at work here: a CPU-bound job (fib), then an I/O-bound job (HTTP GETs to a local server).",
    description = {
      "Runs on an in-process worker, like 'run'. The I/O job fetches pages from an HTTP server this command starts",
      "on 127.0.0.1, which answers each request after --delay; the pages are fetched concurrently on the io lane."
    },
    mixinStandardHelpOptions = true)
final class DemoCommand extends ClusterCommandBase implements Callable<Integer> {

  @Option(
      names = "--pages",
      paramLabel = "N",
      description = "Pages the I/O job fetches (default ${DEFAULT-VALUE}).")
  int pages = 2_000;

  @Option(
      names = "--delay-ms",
      paramLabel = "MS",
      description = "How long the local server takes per page (default ${DEFAULT-VALUE}).")
  int delayMillis = 50;

  @Override
  public Integer call() throws Exception {
    if (pages < 1 || delayMillis < 0) {
      throw CrewException.usage("--pages must be at least 1 and --delay-ms not negative");
    }
    JobSigner signer = JobSigner.of(ClusterSecret.random());
    int cpuThreads = Runtime.getRuntime().availableProcessors();
    EmbeddedWorker worker = RunCommand.embed(cpuThreads, 1000, signer);
    ExecutorService serverThreads = Executors.newVirtualThreadPerTaskExecutor();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1_000);
    Path urls = Files.createTempFile("crew-demo-urls", ".txt");
    Path fetched = Files.createTempFile("crew-demo-pages", ".jsonl");
    try {
      server.setExecutor(serverThreads);
      server.createContext(
          "/",
          exchange -> {
            try {
              Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            byte[] body =
                ("page " + exchange.getRequestURI().getPath() + "\n")
                    .repeat(10)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < pages; i++) {
        lines
            .append("http://127.0.0.1:")
            .append(server.getAddress().getPort())
            .append("/page/")
            .append(i)
            .append('\n');
      }
      Files.writeString(urls, lines);

      out()
          .println(
              "== CPU-bound: fib(n) by naive recursion, n = 25..32, on "
                  + cpuThreads
                  + " CPU lane threads");
      out().println("   coordinator run fib --range 25..32 --ordered");
      out().flush();
      int cpu = runJob(worker, signer, List.of("fib", "--range", "25..32", "--ordered"));

      out().println();
      out()
          .println(
              "== I/O-bound: "
                  + pages
                  + " HTTP GETs to a local server that takes "
                  + delayMillis
                  + " ms per page (one by one: "
                  + String.format("%.0f", pages * delayMillis / 1000.0)
                  + " s)");
      out().println("   coordinator run http-get --input URLS --out PAGES.jsonl");
      out().flush();
      int io =
          runJob(
              worker,
              signer,
              List.of("http-get", "--input", urls.toString(), "--out", fetched.toString()));
      try (var firstLines = Files.lines(fetched)) {
        out().println("   first results of " + fetched + ":");
        firstLines.limit(3).forEach(line -> out().println("   " + line));
      }
      out().flush();
      return Math.max(cpu, io);
    } finally {
      server.stop(0);
      serverThreads.shutdownNow();
      worker.close();
      Files.deleteIfExists(urls);
    }
  }

  private int runJob(EmbeddedWorker worker, JobSigner signer, List<String> args) throws Exception {
    JobOptions job = new JobOptions();
    new picocli.CommandLine(job).parseArgs(args.toArray(String[]::new));
    return new JobLauncher(job, out(), err())
        .launch(checked -> worker.hazelcast(), /* detach= */ false, /* embedded= */ true, signer);
  }
}
