package dev.crew.worker;

import com.sun.net.httpserver.HttpServer;
import dev.crew.common.ClusterSecret;
import dev.crew.common.EmbeddedWorker;
import dev.crew.common.JobSigner;
import dev.crew.common.TaskCatalog;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code worker train-class-cache} (hidden): the run that {@code bin/worker} records the JVM's
 * ahead-of-time cache from (JDK 25+, {@code -XX:AOTCacheOutput}). It starts a worker of its own on
 * loopback (a private cluster, a secret of its own) and loads it with the jobs users run most,
 * submitted by {@code bin/coordinator} processes as any user's would be: one-item and auto-chunked
 * no-op tasks, {@code sum-squares}, and GETs from a server in this process. The cache then holds
 * the classes the worker loaded and linked and the profiles its JIT gathered, so a newly started
 * worker compiles its hot paths during its first job instead of over its first hundred thousand
 * tasks.
 */
@Command(
    name = "train-class-cache",
    hidden = true,
    description = "Run representative jobs on an in-process worker (for the JVM's cache).")
final class TrainCommand implements Callable<Integer> {
  /**
   * The children's environment: none of the caller's Crew settings but where caches and JDKs are.
   */
  private static final Set<String> KEPT_CREW_ENV =
      Set.of("CREW_CACHE_DIR", "CREW_CLASS_CACHE", "CREW_JVM_DIR", "CREW_MVN");

  /** Each job takes seconds: a training ends well before its lock counts as stale (10 min). */
  private static final long JOB_TIMEOUT_SECONDS = 120;

  private static final int GETS = 3_000;

  @Option(
      names = "--coordinator",
      required = true,
      paramLabel = "PATH",
      description = "The bin/coordinator launcher that submits the jobs.")
  Path coordinator;

  @Override
  public Integer call() throws IOException, InterruptedException {
    String secret = ClusterSecret.random();
    Path secretFile = Files.createTempFile("crew-train-", ".secret");
    Path urls = Files.createTempFile("crew-train-", ".urls");
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    byte[] page = "<html><body>crew</body></html>\n".repeat(32).getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/",
        exchange -> {
          try (exchange;
              OutputStream body = exchange.getResponseBody()) {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, page.length);
            body.write(page);
          }
        });
    server.start();
    int cores = Runtime.getRuntime().availableProcessors();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try (EmbeddedWorker worker =
        new EmbeddedWorkers().start(cores, 200, JobSigner.of(secret), TaskCatalog.load(loader))) {
      Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(secretFile, secret);
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/page";
      Files.write(urls, Collections.nCopies(GETS, url));
      List<String> cluster = worker.coordinatorOptions(secretFile);
      int failures = 0;
      for (List<String> job :
          List.of(
              List.of("noop", "--range", "1..20000", "--chunk", "1", "--reduce", "count"),
              List.of("noop", "--range", "1..1000000", "--reduce", "sum"),
              List.of("sum-squares", "--range", "1..3000"),
              List.of("http-get", "--input", urls.toString()),
              List.of("noop", "--range", "1..20000", "--chunk", "1", "--ordered"),
              List.of("noop", "--range", "1..40000", "--chunk", "1", "--reduce", "count"))) {
        failures += submit(cluster, job) ? 0 : 1;
      }
      return failures == 0 ? 0 : 1;
    } finally {
      server.stop(0);
      Files.deleteIfExists(secretFile);
      Files.deleteIfExists(urls);
    }
  }

  /** Runs {@code bin/coordinator submit JOB} against the training worker; true if it succeeded. */
  private boolean submit(List<String> cluster, List<String> job)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(coordinator.toString());
    command.addAll(cluster);
    command.add("submit");
    command.addAll(job);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("CREW_") && !KEPT_CREW_ENV.contains(name));
    Process process = builder.start();
    if (!process.waitFor(JOB_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return false;
    }
    return process.exitValue() == 0;
  }
}
