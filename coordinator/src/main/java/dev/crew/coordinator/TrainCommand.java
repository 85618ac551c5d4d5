package dev.crew.coordinator;

import dev.crew.common.ClusterSecret;
import dev.crew.common.EmbeddedWorker;
import dev.crew.common.JobSigner;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code coordinator train-class-cache} (hidden): the run that {@code bin/coordinator} records the
 * JVM's ahead-of-time cache from (JDK 25+, {@code -XX:AOTCacheOutput}). It runs the commands users
 * run most, through this same command line, against an in-process worker that it talks to as any
 * coordinator does (a Hazelcast client over loopback, a secret of its own, so that sealing runs
 * too). The cache then holds the classes those runs loaded and linked and the profiles the JIT
 * gathered, so the next coordinators start with them instead of learning them again: a new JVM
 * running 20,000 one-item tasks is no longer mostly warming up.
 */
@Command(
    name = "train-class-cache",
    hidden = true,
    description = "Run representative commands against an in-process worker (for the JVM's cache).")
final class TrainCommand extends ClusterCommandBase implements Callable<Integer> {

  @Override
  public Integer call() throws Exception {
    String secret = ClusterSecret.random();
    JobSigner signer = JobSigner.of(secret);
    Path secretFile = Files.createTempFile("crew-train-", ".secret");
    EmbeddedWorker worker = null;
    try {
      Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(secretFile, secret);
      worker = RunCommand.embed(2, 100, signer);
      List<String> cluster = worker.coordinatorOptions(secretFile);
      int failures = 0;
      // One-item tasks and auto-chunked ones, reduced and printed; then the views.
      for (List<String> command :
          List.of(
              List.of("submit", "noop", "--range", "1..20000", "--chunk", "1", "--reduce", "count"),
              List.of("submit", "noop", "--range", "1..1000000", "--reduce", "sum"),
              List.of("submit", "sum-squares", "--range", "1..3000"),
              List.of("submit", "noop", "--range", "1..20000", "--chunk", "1", "--ordered"),
              List.of("status"),
              List.of("jobs"),
              List.of("cluster"))) {
        failures += run(command, cluster) == 0 ? 0 : 1;
      }
      return failures == 0 ? 0 : ExitCodes.NOT_COMPLETED;
    } finally {
      if (worker != null) {
        worker.close();
      }
      Files.deleteIfExists(secretFile);
    }
  }

  private static int run(List<String> command, List<String> cluster) {
    List<String> args = new ArrayList<>(command);
    args.addAll(cluster);
    CommandLine cli = Coordinator.commandLine();
    cli.setOut(new PrintWriter(Writer.nullWriter()));
    cli.setErr(new PrintWriter(Writer.nullWriter()));
    return cli.execute(args.toArray(String[]::new));
  }
}
