package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the real launchers ({@code bin/worker}, {@code bin/coordinator}) as child processes for
 * the end-to-end tests, with each child's stdout and stderr in files under {@code
 * target/e2e-logs/<suite>/}, and stops every child it started (and the child's descendants) on
 * {@link #close()} or when the test JVM exits.
 *
 * <p>The launchers build the shaded jars when they are missing or older than the sources, which
 * takes a minute: {@link #ensureJars()} does that once up front, so that the timeouts of the tests
 * themselves need not cover it.
 */
final class CrewLaunchers implements AutoCloseable {
  /** How long a launcher may take when it has to build the jars first. */
  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  /**
   * How long a worker may take to start and join (generous: a launcher may rebuild stale jars
   * first).
   */
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** How long {@link #ensureJars()} waits for the class caches' training runs. */
  static final Duration CACHE_TRAINING_TIMEOUT = Duration.ofMinutes(4);

  /** Default limit for one coordinator run. */
  static final Duration RUN_TIMEOUT = Duration.ofSeconds(150);

  /** Environment the children must not inherit: it would change the options under test. */
  private static final Set<String> KEPT_CREW_ENV =
      Set.of("CREW_JAVA_OPTS", "CREW_MVN", "CREW_JVM_DIR");

  /** Lines the launchers print about (re)building the jars; not the programs' own output. */
  private static final Pattern LAUNCHER_NOTICE =
      Pattern.compile("^crew: (building jars|building the example|another launcher is building).*");

  private static final Pattern JOINED =
      Pattern.compile("worker (\\S+:\\d+) joined cluster '([^']*)': (\\d+) members");

  private final Path home;
  private final Path logDir;
  private final List<Child> children = new CopyOnWriteArrayList<>();
  private final AtomicInteger counter = new AtomicInteger();
  private final Thread exitHook;

  /**
   * The log folder of {@code suite} under {@code target/e2e-logs}, emptied of its files: logs of an
   * earlier run would be mistaken for this one's.
   */
  static Path freshLogDir(String suite) {
    Path dir = Path.of("target", "e2e-logs", suite).toAbsolutePath();
    try {
      if (Files.isDirectory(dir)) {
        try (var old = Files.list(dir)) {
          for (Path file : old.toList()) {
            if (Files.isRegularFile(file)) {
              Files.delete(file);
            }
          }
        }
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  CrewLaunchers(String suite) {
    this.home = crewHome();
    this.logDir = freshLogDir(suite);
    // If the test JVM is stopped early (Ctrl-C, failsafe timeout), still take the workers down with
    // it.
    this.exitHook = new Thread(this::killAll, "crew-e2e-cleanup");
    Runtime.getRuntime().addShutdownHook(exitHook);
  }

  /** The project root, from the {@code crew.home} system property that failsafe sets. */
  static Path crewHome() {
    Path home = Path.of(System.getProperty("crew.home", "..")).toAbsolutePath().normalize();
    assertThat(home.resolve("bin/worker")).as("bin/worker under crew.home=%s", home).isExecutable();
    assertThat(home.resolve("bin/coordinator"))
        .as("bin/coordinator under crew.home=%s", home)
        .isExecutable();
    return home;
  }

  /** A cluster name no other test run (or engineer) uses. */
  static String randomClusterName() {
    return "e2e-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }

  /**
   * The first of {@code count} consecutive ports, in 5901..6899, that are free on loopback and on
   * the wildcard address right now; well away from the 5701.. default that other clusters on this
   * host use.
   */
  static int freePortBase(int count) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 5901 + ThreadLocalRandom.current().nextInt(1000 - count);
      boolean free = true;
      for (int p = base; p < base + count && free; p++) {
        free = isFree(p);
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no " + count + " consecutive free ports in 5901..6899");
  }

  private static boolean isFree(int port) {
    for (InetAddress address : new InetAddress[] {InetAddress.getLoopbackAddress(), null}) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(
            address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  Path home() {
    return home;
  }

  Path logDir() {
    return logDir;
  }

  /**
   * Runs {@code bin/coordinator --version} once, so that a launcher (re)builds stale jars now, not
   * mid-test.
   */
  void ensureJars() {
    Run run = coordinator("warm-up", BUILD_TIMEOUT, "--version");
    assertThat(run.exitCode()).as(run::describe).isZero();
    Run worker = worker("warm-up", BUILD_TIMEOUT, Map.of(), "--version");
    assertThat(worker.exitCode()).as(worker::describe).isZero();
    // On JDK 25+ those first runs with new jars train the launchers' class caches in the background
    // (about a minute of both cores, once per build): wait for them here, as a user's later runs
    // would find them, rather than let them share the cores with a test's timing.
    Path caches = classCacheDir();
    try {
      await("the launchers' class caches trained")
          .atMost(CACHE_TRAINING_TIMEOUT)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !anyTrainingUnder(caches));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // A slow machine: the tests run while the training goes on at the lowest priority.
    }
  }

  /** Where the launchers keep their class caches when the environment does not say otherwise. */
  static Path classCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isEmpty()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("crew");
  }

  /**
   * Whether a launcher's class-cache training holds its lock under {@code dir}. A training takes
   * about a minute: a lock older than {@link #CACHE_TRAINING_TIMEOUT} was left by one that was
   * killed (the launchers take it over after 10 minutes).
   */
  static boolean anyTrainingUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    long since = System.currentTimeMillis() - CACHE_TRAINING_TIMEOUT.toMillis();
    try (var entries = Files.list(dir)) {
      return entries.anyMatch(
          f ->
              f.getFileName().toString().endsWith(".aot.lock")
                  && f.toFile().lastModified() > since);
    }
  }

  /** Runs {@code bin/worker ARGS} to completion, e.g. {@code --version}, with {@code env} added. */
  Run worker(String label, Duration timeout, Map<String, String> env, String... args) {
    return awaitCoordinator(
        start("worker-" + label, "bin/worker", Arrays.asList(args), new File("/dev/null"), env),
        timeout);
  }

  /**
   * Starts {@code bin/worker} on loopback and waits until it logs that it joined {@code cluster}
   * with {@code expectedMembers} members.
   */
  Worker startWorker(String cluster, int port, List<String> join, int expectedMembers) {
    return startWorker(cluster, port, join, expectedMembers, List.of());
  }

  /**
   * As {@link #startWorker(String, int, List, int)}, with {@code extraArgs} (e.g. {@code
   * --lease-timeout 4s}) last.
   */
  Worker startWorker(
      String cluster, int port, List<String> join, int expectedMembers, List<String> extraArgs) {
    return startWorker(cluster, port, join, expectedMembers, extraArgs, Map.of());
  }

  /** As above, with {@code env} added to the worker's environment (e.g. {@code CREW_JAVA_OPTS}). */
  Worker startWorker(
      String cluster,
      int port,
      List<String> join,
      int expectedMembers,
      List<String> extraArgs,
      Map<String, String> env) {
    Child child = startWorkerChild(cluster, port, join, extraArgs, env);
    return awaitJoined(child, cluster, port, expectedMembers);
  }

  /**
   * Starts {@code bin/worker} as {@link #startWorker(String, int, List, int, List)} does, without
   * waiting for it to join.
   */
  Child startWorkerChild(String cluster, int port, List<String> join, List<String> extraArgs) {
    return startWorkerChild(cluster, port, join, extraArgs, Map.of());
  }

  private Child startWorkerChild(
      String cluster,
      int port,
      List<String> join,
      List<String> extraArgs,
      Map<String, String> env) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--cluster",
                cluster,
                "--bind",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--join",
                String.join(",", join),
                "--drain-timeout",
                "5s"));
    args.addAll(extraArgs);
    return start("worker-" + port, "bin/worker", args, new File("/dev/null"), env);
  }

  /**
   * Waits until a started worker logs that it joined {@code cluster} with {@code expectedMembers}
   * members.
   */
  static Worker awaitJoined(Child child, String cluster, int port, int expectedMembers) {
    await("worker on port " + port + " joining cluster " + cluster)
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              Matcher m = JOINED.matcher(child.stderr());
              if (m.find()) {
                if (!m.group(2).equals(cluster)
                    || Integer.parseInt(m.group(3)) != expectedMembers) {
                  throw new IllegalStateException(
                      "expected the worker to join '"
                          + cluster
                          + "' as one of "
                          + expectedMembers
                          + " members\n"
                          + child.describe());
                }
                return;
              }
              if (!child.process().isAlive()) {
                throw new IllegalStateException(
                    "the worker exited (code "
                        + child.process().exitValue()
                        + ") before joining\n"
                        + child.describe());
              }
              // Not containsPattern(JOINED) on a fresh read: the line may appear between the two
              // reads, and the wait
              // would then end without its name.
              throw new AssertionError("no 'joined cluster' line yet\n" + child.describe());
            });
    // Read the name here, on this thread, from the line the wait found (the condition runs on
    // Awaitility's thread).
    Matcher line = JOINED.matcher(child.stderr());
    assertThat(line.find()).as(child::describe).isTrue();
    return new Worker(line.group(1), child);
  }

  /** Runs {@code bin/coordinator ARGS} to completion (or kills it after {@code timeout}). */
  Run coordinator(String label, Duration timeout, String... args) {
    return awaitCoordinator(startCoordinator(label, args), timeout);
  }

  /**
   * Starts {@code bin/coordinator ARGS} and returns at once; {@link #awaitCoordinator} waits for
   * it.
   */
  Child startCoordinator(String label, String... args) {
    return start("coordinator-" + label, "bin/coordinator", Arrays.asList(args));
  }

  /** As {@link #coordinator}, with {@code env} added to its environment. */
  Run coordinator(String label, Duration timeout, Map<String, String> env, String... args) {
    return awaitCoordinator(
        start(
            "coordinator-" + label,
            "bin/coordinator",
            Arrays.asList(args),
            new File("/dev/null"),
            env),
        timeout);
  }

  /** Runs {@code examples/run} (the client library's example program) with {@code env} added. */
  Run example(String label, Duration timeout, Map<String, String> env) {
    return awaitCoordinator(
        start("example-" + label, "examples/run", List.of(), new File("/dev/null"), env), timeout);
  }

  /** As {@link #coordinator}, with {@code stdin} as the coordinator's standard input. */
  Run coordinatorReading(Path stdin, String label, Duration timeout, String... args) {
    return awaitCoordinator(
        start(
            "coordinator-" + label,
            "bin/coordinator",
            Arrays.asList(args),
            stdin.toFile(),
            Map.of()),
        timeout);
  }

  /**
   * Waits for a coordinator started by {@link #startCoordinator} to finish (or kills it after
   * {@code timeout}).
   */
  Run awaitCoordinator(Child child, Duration timeout) {
    boolean exited;
    try {
      long left = timeout.toNanos() - (System.nanoTime() - child.startedNanos());
      exited = child.process().waitFor(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(child);
      throw new IllegalStateException("interrupted while waiting for " + child.label(), e);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - child.startedNanos());
    if (!exited) {
      stop(child);
      throw new AssertionError(
          "coordinator did not finish within " + timeout + "\n" + child.describe());
    }
    // The launcher execs the JVM, but be sure nothing it started lives on.
    stop(child);
    return new Run(child, child.process().exitValue(), elapsed);
  }

  private Child start(String label, String launcher, List<String> args) {
    return start(label, launcher, args, new File("/dev/null"), Map.of());
  }

  private Child start(
      String label, String launcher, List<String> args, File stdin, Map<String, String> extraEnv) {
    return start(List.of(), label, launcher, args, stdin, extraEnv);
  }

  /**
   * Starts {@code launcher ARGS} (a path under the repository) behind {@code prefix}, e.g. a
   * command that runs it in a network namespace, and returns at once.
   */
  Child startBehind(
      List<String> prefix,
      String label,
      String launcher,
      List<String> args,
      Map<String, String> env) {
    return start(prefix, label, launcher, args, new File("/dev/null"), env);
  }

  private Child start(
      List<String> prefix,
      String label,
      String launcher,
      List<String> args,
      File stdin,
      Map<String, String> extraEnv) {
    String name = String.format("%02d-%s", counter.incrementAndGet(), label);
    Path out = logDir.resolve(name + ".out");
    Path err = logDir.resolve(name + ".err");
    List<String> command = new ArrayList<>(prefix);
    command.add(home.resolve(launcher).toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(logDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(stdin))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("CREW_") && !KEPT_CREW_ENV.contains(k));
    env.putAll(extraEnv);
    try {
      long startedNanos = System.nanoTime();
      Child child =
          new Child(name, String.join(" ", command), builder.start(), out, err, startedNanos);
      children.add(child);
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /**
   * SIGTERM, then SIGKILL if the process is still alive after {@code grace}; its descendants get
   * SIGKILL. Returns the descendants it saw, for the caller to check; gives up quietly on one that
   * does not exit.
   */
  static List<ProcessHandle> terminate(Process process, Duration grace) {
    List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          descendants.addAll(process.descendants().toList());
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
      for (ProcessHandle d : descendants) {
        d.destroyForcibly();
        d.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // a descendant did not exit in time: the caller checks what is left
    }
    return descendants;
  }

  /**
   * Stops one child: SIGTERM (a worker leaves the cluster cleanly), then SIGKILL; the same for its
   * descendants.
   */
  void stop(Child child) {
    Process process = child.process();
    List<ProcessHandle> descendants = terminate(process, Duration.ofSeconds(10));
    assertThat(process.isAlive()).as("%s still alive after being killed", child.label()).isFalse();
    assertThat(descendants.stream().filter(ProcessHandle::isAlive).toList())
        .as("descendants of %s still alive after being killed", child.label())
        .isEmpty();
  }

  /** Stops every child still running; for {@code @AfterEach}/{@code @AfterAll}. */
  void stopAll() {
    for (Child child : children) {
      stop(child);
    }
  }

  private void killAll() {
    for (Child child : children) {
      child.process().descendants().forEach(ProcessHandle::destroyForcibly);
      child.process().destroyForcibly();
    }
  }

  @Override
  public void close() {
    try {
      stopAll();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(exitHook);
      } catch (IllegalStateException e) {
        // the JVM is already exiting: the hook runs anyway
      }
    }
  }

  /** Lines written to {@code file} so far (newlines; 0 while it does not exist). */
  static long lineCount(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    long count = 0;
    for (byte b : Files.readAllBytes(file)) {
      if (b == '\n') {
        count++;
      }
    }
    return count;
  }

  /** The last {@code n} lines of a file, for failure messages. */
  static String tail(Path file, int n) {
    List<String> lines = readLines(file);
    int from = Math.max(0, lines.size() - n);
    return (from > 0 ? "  [... " + from + " earlier lines]\n" : "")
        + String.join("\n", lines.subList(from, lines.size()).stream().map(l -> "  " + l).toList());
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> readLines(Path file) {
    return read(file).lines().toList();
  }

  /** A started launcher. */
  record Child(
      String label, String command, Process process, Path out, Path err, long startedNanos) {
    String stdout() {
      return read(out);
    }

    String stderr() {
      return read(err);
    }

    String describe() {
      return "--- "
          + label
          + " (pid "
          + process.pid()
          + "): "
          + command
          + "\n"
          + "--- stdout "
          + out
          + " (tail):\n"
          + tail(out, 15)
          + "\n"
          + "--- stderr "
          + err
          + " (tail):\n"
          + tail(err, 40);
    }
  }

  /** A worker that has joined: {@code name} is its {@code host:port}, as results name it. */
  record Worker(String name, Child child) {
    String describe() {
      return child.describe();
    }
  }

  /** A finished coordinator run. */
  record Run(Child child, int exitCode, Duration elapsed) {
    List<String> stdoutLines() {
      return readLines(child.out());
    }

    List<String> stderrLines() {
      return readLines(child.err());
    }

    /** The stderr lines without the launcher's own notices about building the jars. */
    List<String> programStderrLines() {
      return stderrLines().stream().filter(l -> !LAUNCHER_NOTICE.matcher(l).matches()).toList();
    }

    /**
     * Whether the launcher rebuilt the jars during this run (its wall time then includes a Maven
     * build).
     */
    boolean launcherBuilt() {
      return stderrLines().stream().anyMatch(l -> LAUNCHER_NOTICE.matcher(l).matches());
    }

    String describe() {
      return "exit code " + exitCode + " after " + elapsed.toMillis() + " ms\n" + child.describe();
    }
  }
}
