package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The "no item lost" invariant with real processes: three workers ({@code bin/worker}) run a job
 * submitted with {@code bin/coordinator submit}, and one worker (never the one the coordinator
 * connects to) is killed with SIGKILL mid-job. The survivors must put its leased tasks back, and
 * the coordinator must still print every item exactly once. Ten rounds per job; after each kill a
 * replacement worker joins, so every round starts with three workers.
 *
 * <p>The random choices (kill point, worker to connect to, worker to kill) come from one seed,
 * printed at the start; {@code -Dcrew.kill.seed=N} replays them (the timing of course differs).
 */
@Tag("faults")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KillIT {
  private static final int ROUNDS = 10;
  private static final int WORKERS = 3;

  /** Short leases, so that the tests also cover a reaper that runs often. */
  private static final List<String> LEASE_OPTIONS =
      List.of("--lease-timeout", "4s", "--heartbeat", "500ms");

  /** Each coordinator run, from its start, must end within this, kill and recovery included. */
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

  /** Design target for the time from the kill to the survivors' requeue log line. */
  private static final Duration REQUEUE_TARGET = Duration.ofSeconds(5);

  /** What the test asserts: the target with slack for a loaded CI host. */
  private static final Duration REQUEUE_LIMIT = Duration.ofSeconds(10);

  /**
   * How long to look for the requeue line once the job is over and the survivors have seen the
   * kill.
   */
  private static final Duration REQUEUE_LINE_GRACE = Duration.ofSeconds(3);

  private static final Pattern MEMBERS =
      Pattern.compile(
          "(?:joined cluster '[^']*': (\\d+) members|; the cluster has (\\d+) members)");
  private static final Pattern PUT_BACK =
      Pattern.compile(
          "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) WARN +LeaseReaper - worker (\\S+) left the cluster: "
              + "put (\\d+) of its tasks back on their queues$",
          Pattern.MULTILINE);
  private static final Pattern NO_HEARTBEAT =
      Pattern.compile("LeaseReaper - worker (\\S+) sent no heartbeat for", Pattern.MULTILINE);

  private final String cluster = CrewLaunchers.randomClusterName();
  private final List<CrewLaunchers.Worker> live = new ArrayList<>();
  private final List<CrewLaunchers.Worker> everyWorker = new ArrayList<>();
  private final List<RoundReport> reports = Collections.synchronizedList(new ArrayList<>());
  private CrewLaunchers crew;
  private boolean clusterStarted;
  private long seed;
  private Random random;
  private int nextPort;
  private int lastPort;

  /** One round's figures, for the table at the end. */
  private record RoundReport(
      String job,
      int round,
      int killAt,
      long linesAtKill,
      boolean midJob,
      String connected,
      String killed,
      int putBack,
      Double secondsToRequeue,
      double longestStall,
      double jobSeconds,
      double roundSeconds) {}

  /**
   * A job run in every round.
   *
   * @param maxKillAt the kill comes once the output has R lines, R random in 1..maxKillAt
   * @param minRequeueRounds rounds (of {@link #ROUNDS}) in which the killed worker must have held a
   *     lease that the survivors put back: CPU workers hold their tasks for a while, so nearly
   *     every kill finds some; an I/O worker's 50 ms tasks are soon done, so a kill may find none
   */
  private record JobSpec(
      String name,
      String task,
      Path input,
      int items,
      long result,
      int maxKillAt,
      int minRequeueRounds) {}

  /**
   * Starts the three workers on first use (not in {@code @BeforeAll}: nothing starts when every
   * test is skipped).
   */
  private void ensureCluster() {
    if (clusterStarted) {
      return;
    }
    assertThat(crew).as("the workers did not start in an earlier test of this class").isNull();
    seed = Long.getLong("crew.kill.seed", System.nanoTime());
    random = new Random(seed);
    System.out.printf(
        "KillIT: seed %d (replay the random choices with -Dcrew.kill.seed=%d)%n", seed, seed);
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    // The first workers, then one fresh port per replacement (a replacement never reuses a killed
    // worker's address).
    int ports = WORKERS + 2 * ROUNDS + 5;
    int base = CrewLaunchers.freePortBase(ports);
    nextPort = base + WORKERS;
    lastPort = base + ports - 1;
    List<String> join = new ArrayList<>();
    for (int i = 0; i < WORKERS; i++) {
      join.add("127.0.0.1:" + (base + i));
    }
    for (int i = 0; i < WORKERS; i++) {
      CrewLaunchers.Worker worker = crew.startWorker(cluster, base + i, join, i + 1, LEASE_OPTIONS);
      live.add(worker);
      everyWorker.add(worker);
    }
    awaitEveryLiveWorkerSees(WORKERS);
    clusterStarted = true;
  }

  @AfterAll
  void stopCluster() {
    try {
      printTable();
    } finally {
      if (crew != null) {
        crew.close();
      }
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void cpuJob_killAWorkerMidJob_everyItemExactlyOnce() throws IOException {
    ensureCluster();
    Path input =
        Files.write(crew.logDir().resolve("fib-200000x18.txt"), Collections.nCopies(200_000, "18"));
    runRounds(new JobSpec("cpu", "fib", input, 200_000, 2_584, 150_000, 1));
  }

  @Test
  @Order(2)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void ioJob_killAWorkerMidJob_everyItemExactlyOnce() throws IOException {
    ensureCluster();
    Path input =
        Files.write(crew.logDir().resolve("sleep-5000x50.txt"), Collections.nCopies(5_000, "50"));
    runRounds(new JobSpec("io", "sleep", input, 5_000, 50, 4_000, 0));
  }

  private void runRounds(JobSpec job) {
    topUp();
    List<RoundReport> mine = new ArrayList<>();
    for (int round = 1; round <= ROUNDS; round++) {
      RoundReport report = runRound(job, round);
      mine.add(report);
      reports.add(report);
      System.out.printf("KillIT: %s%n", report);
    }
    long midJob = mine.stream().filter(RoundReport::midJob).count();
    long requeued = mine.stream().filter(r -> r.putBack() > 0).count();
    System.out.printf(
        "KillIT: %s job: %d of %d kills were mid-job, %d put tasks back%n",
        job.name(), midJob, ROUNDS, requeued);
    // The test proves something only if most kills hit a running job.
    assertThat(midJob)
        .as("rounds whose kill happened while the job ran (seed %d)", seed)
        .isGreaterThanOrEqualTo(ROUNDS / 2);
    assertThat(requeued)
        .as("rounds where the survivors put tasks back (seed %d)", seed)
        .isGreaterThanOrEqualTo(job.minRequeueRounds());
  }

  private RoundReport runRound(JobSpec job, int round) {
    assertThat(live)
        .as("live workers at the start of %s round %d", job.name(), round)
        .hasSize(WORKERS);
    // One loss at a time: the design survives any one member lost, once the partitions it held have
    // their backups
    // again (Hazelcast keeps one backup). Kills closer together than that are two losses at once.
    awaitClusterSafe();
    // Every random choice is made up front, in a fixed order, so that a seed replays them.
    int killAt = 1 + random.nextInt(job.maxKillAt());
    CrewLaunchers.Worker connect = live.get(random.nextInt(live.size()));
    List<CrewLaunchers.Worker> others = live.stream().filter(w -> w != connect).toList();
    CrewLaunchers.Worker victim = others.get(random.nextInt(others.size()));
    String label = String.format("%s-r%02d", job.name(), round);
    String context =
        String.format(
            "%s round %d (seed %d): kill %s at %d lines, coordinator connected to %s",
            job.name(), round, seed, victim.name(), killAt, connect.name());

    CrewLaunchers.Child coordinator =
        crew.startCoordinator(
            label,
            "submit",
            job.task(),
            "--input",
            job.input().toString(),
            "--connect",
            connect.name(),
            "--cluster",
            cluster);
    LineCounter output = new LineCounter(coordinator.out());
    await(context + ": output reaching " + killAt + " lines")
        .atMost(JOB_TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> output.lines() >= killAt || !coordinator.process().isAlive());
    boolean running = coordinator.process().isAlive();
    long linesAtKill = output.lines();
    LocalTime killedAt = LocalTime.now();
    kill(victim);
    boolean midJob = running && linesAtKill < job.items();
    live.remove(victim);
    if (!midJob) {
      System.out.printf(
          "KillIT: %s: the job was over before the kill (%d lines)%n", context, linesAtKill);
    }

    double stall = longestStall(coordinator, output, job.items());
    CrewLaunchers.Run run;
    try {
      run = crew.awaitCoordinator(coordinator, JOB_TIMEOUT);
    } catch (AssertionError timeout) {
      throw new AssertionError(
          context
              + ": "
              + missing(coordinator.out(), job.items())
              + "\n"
              + clusterState()
              + "\n"
              + workerLogs(),
          timeout);
    }
    String logs = context + "\n" + run.describe() + "\n" + workerLogs();

    // The survivors must see the killed worker go before a replacement joins (the cluster then has
    // 3 members).
    awaitEveryLiveWorkerSees(WORKERS - 1);
    // Starting a JVM is the slowest part of a round: the replacement starts while this round is
    // checked.
    CompletableFuture<CrewLaunchers.Worker> replacement = startReplacement();
    try {
      assertThat(run.exitCode()).as(() -> "exit code\n" + logs).isZero();
      checkOutput(job, run, logs);
      JobOutput.Summary summary = JobOutput.summary(run);
      assertThat(summary.ok()).as(() -> summary + "\n" + logs).isEqualTo(job.items());
      assertThat(summary.failed()).as(() -> summary + "\n" + logs).isZero();

      PutBack putBack = awaitPutBack(victim, killedAt, midJob);
      if (putBack.secondsToRequeue() != null) {
        assertThat(putBack.secondsToRequeue())
            .as(
                () ->
                    "seconds from the kill to the requeue line (target "
                        + REQUEUE_TARGET
                        + ")\n"
                        + logs)
            .isLessThan(REQUEUE_LIMIT.toMillis() / 1000.0);
      }
      // Any delay in getting the killed worker's tasks running again shows as a long pause of the
      // output.
      assertThat(stall)
          .as(
              () ->
                  "longest time (s) without a new output line after the kill (limit "
                      + REQUEUE_LIMIT
                      + ")\n"
                      + logs)
          .isLessThan(REQUEUE_LIMIT.toMillis() / 1000.0);
      joinReplacement(replacement);
      return new RoundReport(
          job.name(),
          round,
          killAt,
          linesAtKill,
          midJob,
          connect.name(),
          victim.name(),
          putBack.tasks(),
          putBack.secondsToRequeue(),
          stall,
          summary.seconds(),
          (System.nanoTime() - coordinator.startedNanos()) / 1e9);
    } catch (RuntimeException | Error e) {
      // Still bring the cluster back to three workers (a later test starts from there), but report
      // this failure.
      try {
        if (!replacement.isDone() || !replacement.isCompletedExceptionally()) {
          joinReplacement(replacement);
        }
      } catch (RuntimeException | Error later) {
        e.addSuppressed(later);
      }
      throw e;
    }
  }

  /**
   * Follows the output from the kill until the coordinator exits (or the job timeout): returns the
   * longest time, in seconds, during which no line was added while lines were still missing.
   */
  private static double longestStall(
      CrewLaunchers.Child coordinator, LineCounter output, int items) {
    long deadline = coordinator.startedNanos() + JOB_TIMEOUT.toNanos();
    long lastLines = output.lines();
    long lastChange = System.nanoTime();
    long longest = 0;
    while (coordinator.process().isAlive() && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(50));
      long lines = output.lines();
      long now = System.nanoTime();
      if (lines != lastLines || lines >= items) {
        lastLines = lines;
        lastChange = now;
      }
      longest = Math.max(longest, now - lastChange);
    }
    return longest / 1e9;
  }

  /**
   * Exactly {@code items} lines, indexes 0..items-1 once each, every one ok with the expected
   * result.
   */
  private static void checkOutput(JobSpec job, CrewLaunchers.Run run, String logs) {
    List<JobOutput.Line> lines = JobOutput.lines(run);
    BitSet seen = new BitSet(job.items());
    List<String> problems = new ArrayList<>();
    for (JobOutput.Line line : lines) {
      if (line.index() < 0 || line.index() >= job.items()) {
        problems.add("index out of range: " + line.raw());
      } else if (seen.get(line.index())) {
        problems.add("index printed twice: " + line.raw());
      } else {
        seen.set(line.index());
      }
      if (!line.ok()
          || !line.result().isIntegralNumber()
          || line.result().asLong() != job.result()) {
        problems.add("not " + job.result() + ": " + line.raw());
      }
      if (problems.size() >= 20) {
        break;
      }
    }
    int missing = job.items() - seen.cardinality();
    assertThat(problems).as(() -> "bad output lines\n" + logs).isEmpty();
    assertThat(missing)
        .as(() -> "indexes never printed (first: " + seen.nextClearBit(0) + ")\n" + logs)
        .isZero();
    assertThat(lines).as(() -> "output lines\n" + logs).hasSize(job.items());
  }

  /** For a coordinator that did not finish: which indexes its output lacks. */
  private static String missing(Path out, int items) {
    BitSet seen = new BitSet(items);
    Pattern index = Pattern.compile("^\\{\"index\":(\\d+),");
    long lines = 0;
    for (String line : CrewLaunchers.readLines(out)) {
      lines++;
      Matcher m = index.matcher(line);
      if (m.find()) {
        seen.set(Integer.parseInt(m.group(1)));
      }
    }
    List<Integer> first = new ArrayList<>();
    for (int i = seen.nextClearBit(0);
        i < items && first.size() < 20;
        i = seen.nextClearBit(i + 1)) {
      first.add(i);
    }
    return String.format(
        "the job did not finish: %d lines, %d of %d indexes missing, first %s",
        lines, items - seen.cardinality(), items, first);
  }

  /**
   * SIGKILL to the worker's JVM (the launcher execs java, so the child process is the JVM itself).
   */
  private void kill(CrewLaunchers.Worker worker) {
    Process process = worker.child().process();
    ProcessHandle handle = process.toHandle();
    String command = handle.info().command().orElse("");
    assertThat(command)
        .as("the process of %s is the JVM, not a shell\n%s", worker.name(), worker.describe())
        .endsWith("/java");
    assertThat(process.descendants().toList())
        .as("processes under the worker JVM %s", worker.name())
        .isEmpty();
    assertThat(handle.destroyForcibly()).as("SIGKILL sent to %s", worker.name()).isTrue();
    try {
      assertThat(process.waitFor(10, TimeUnit.SECONDS))
          .as("%s dead after SIGKILL", worker.name())
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    assertThat(process.exitValue())
        .as("exit code of %s: 128 + SIGKILL", worker.name())
        .isEqualTo(137);
  }

  private record PutBack(int tasks, Double secondsToRequeue) {}

  /**
   * The survivors' requeue lines about {@code victim}: how many tasks they put back, and the time
   * from the kill to the first line that put some back. A worker that held no lease when it died
   * gets no line at all.
   */
  private PutBack awaitPutBack(CrewLaunchers.Worker victim, LocalTime killedAt, boolean midJob) {
    long deadline = System.nanoTime() + (midJob ? REQUEUE_LINE_GRACE.toNanos() : 0);
    while (true) {
      int tasks = 0;
      LocalTime first = null;
      for (CrewLaunchers.Worker survivor : live) {
        Matcher m = PUT_BACK.matcher(survivor.child().stderr());
        while (m.find()) {
          if (m.group(2).equals(victim.name())) {
            int n = Integer.parseInt(m.group(3));
            tasks += n;
            LocalTime at = LocalTime.parse(m.group(1));
            if (n > 0 && (first == null || at.isBefore(first))) {
              first = at;
            }
          }
        }
      }
      if (first != null || System.nanoTime() > deadline) {
        Double seconds = null;
        if (first != null) {
          long millis = ChronoUnit.MILLIS.between(killedAt, first);
          if (millis < -12 * 3_600_000L) {
            millis += 24 * 3_600_000L; // the kill was just before midnight
          }
          seconds = millis / 1000.0;
        }
        return new PutBack(tasks, seconds);
      }
      sleep(Duration.ofMillis(100));
    }
  }

  /** After an earlier test failed mid-round: back to three live workers. */
  private void topUp() {
    live.removeIf(w -> !w.child().process().isAlive());
    while (live.size() < WORKERS) {
      awaitEveryLiveWorkerSees(live.size());
      replace(live.size() + 1);
    }
  }

  /** Starts a worker in place of the one killed, on a fresh port, in the background. */
  private CompletableFuture<CrewLaunchers.Worker> startReplacement() {
    assertThat(nextPort).as("ports left for replacements").isLessThanOrEqualTo(lastPort);
    int port = nextPort++;
    List<String> join = new ArrayList<>(live.stream().map(CrewLaunchers.Worker::name).toList());
    join.add("127.0.0.1:" + port);
    return CompletableFuture.supplyAsync(
        () -> crew.startWorker(cluster, port, join, WORKERS, LEASE_OPTIONS),
        task -> Thread.ofPlatform().name("replacement-" + port).daemon(true).start(task));
  }

  /** Waits for the replacement to join, then until every live worker sees all three. */
  private void joinReplacement(CompletableFuture<CrewLaunchers.Worker> replacement) {
    CrewLaunchers.Worker worker;
    try {
      worker = replacement.get(CrewLaunchers.START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while a replacement worker started", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Error error
          ? error
          : new AssertionError("replacement worker", e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("replacement worker did not join in time", e);
    }
    if (!live.contains(worker)) {
      live.add(worker);
      everyWorker.add(worker);
    }
    awaitEveryLiveWorkerSees(WORKERS);
  }

  /**
   * Starts a worker in place of the one killed, on a fresh port, and waits until every worker sees
   * all three.
   */
  private void replace(int members) {
    assertThat(nextPort).as("ports left for replacements").isLessThanOrEqualTo(lastPort);
    int port = nextPort++;
    List<String> join = new ArrayList<>(live.stream().map(CrewLaunchers.Worker::name).toList());
    join.add("127.0.0.1:" + port);
    CrewLaunchers.Worker worker = crew.startWorker(cluster, port, join, members, LEASE_OPTIONS);
    live.add(worker);
    everyWorker.add(worker);
    awaitEveryLiveWorkerSees(members);
  }

  /**
   * Waits until the last membership line of every live worker says the cluster has {@code members}
   * members.
   */
  private void awaitEveryLiveWorkerSees(int members) {
    await("every live worker seeing " + members + " members")
        .atMost(CrewLaunchers.START_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              for (CrewLaunchers.Worker worker : live) {
                assertThat(worker.child().process().isAlive())
                    .as(() -> "worker died\n" + worker.describe())
                    .isTrue();
                assertThat(lastMemberCount(worker))
                    .as(() -> worker.name() + "'s member count\n" + worker.describe())
                    .isEqualTo(members);
              }
            });
  }

  /**
   * Waits until every live worker has logged, after its last membership change, that the cluster is
   * safe again.
   */
  private void awaitClusterSafe() {
    await("every live worker seeing every partition backed up again")
        .atMost(CrewLaunchers.START_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              for (CrewLaunchers.Worker worker : live) {
                String log = worker.child().stderr();
                int change = log.lastIndexOf("; the cluster has ");
                assertThat(change < 0 || log.lastIndexOf("cluster safe: every partition") > change)
                    .as(
                        () ->
                            worker.name()
                                + " safe after its last membership change\n"
                                + worker.describe())
                    .isTrue();
              }
            });
  }

  private static int lastMemberCount(CrewLaunchers.Worker worker) {
    Matcher m = MEMBERS.matcher(worker.child().stderr());
    int count = -1;
    while (m.find()) {
      count = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return count;
  }

  /**
   * What the cluster holds, from {@code coordinator cluster} and {@code coordinator status}: for a
   * job that hangs.
   */
  private String clusterState() {
    StringBuilder state = new StringBuilder();
    for (String command : List.of("cluster", "status")) {
      try {
        CrewLaunchers.Run run =
            crew.coordinator(
                "diagnose-" + command,
                Duration.ofSeconds(60),
                command,
                "--connect",
                live.getFirst().name(),
                "--cluster",
                cluster);
        state
            .append("--- coordinator ")
            .append(command)
            .append(" (exit ")
            .append(run.exitCode())
            .append("):\n")
            .append(String.join("\n", run.stdoutLines()))
            .append("\n")
            .append(String.join("\n", run.programStderrLines()))
            .append("\n");
      } catch (RuntimeException | AssertionError e) {
        state.append("--- coordinator ").append(command).append(" failed: ").append(e).append("\n");
      }
    }
    return state.toString();
  }

  private String workerLogs() {
    return live.stream().map(CrewLaunchers.Worker::describe).collect(Collectors.joining("\n"));
  }

  private void printTable() {
    if (reports.isEmpty()) {
      return;
    }
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            "KillIT results (seed %d; requeue target <= %d s, limit < %d s)%n",
            seed,
            REQUEUE_TARGET.toSeconds(),
            REQUEUE_LIMIT.toSeconds()));
    String format = "%-4s %5s %7s %13s %-8s %-16s %-16s %8s %10s %8s %7s %7s%n";
    table.append(
        String.format(
            Locale.ROOT,
            format,
            "job",
            "round",
            "R",
            "lines at kill",
            "when",
            "connected",
            "killed",
            "put back",
            "requeue s",
            "stall s",
            "job s",
            "round s"));
    for (RoundReport r : reports) {
      table.append(
          String.format(
              Locale.ROOT,
              format,
              r.job(),
              r.round(),
              r.killAt(),
              r.linesAtKill(),
              r.midJob() ? "mid-job" : "after",
              r.connected(),
              r.killed(),
              r.putBack(),
              r.secondsToRequeue() == null
                  ? "-"
                  : String.format(Locale.ROOT, "%.3f", r.secondsToRequeue()),
              String.format(Locale.ROOT, "%.2f", r.longestStall()),
              String.format(Locale.ROOT, "%.2f", r.jobSeconds()),
              String.format(Locale.ROOT, "%.1f", r.roundSeconds())));
    }
    List<Double> times =
        reports.stream()
            .map(RoundReport::secondsToRequeue)
            .filter(t -> t != null)
            .sorted()
            .toList();
    if (!times.isEmpty()) {
      table.append(
          String.format(
              Locale.ROOT,
              "requeue seconds: min %.3f, median %.3f, max %.3f over %d kills%n",
              times.getFirst(),
              times.get(times.size() / 2),
              times.getLast(),
              times.size()));
    }
    // Leases of live workers taken away for a missed heartbeat: not wrong (first result wins), but
    // worth seeing.
    long silent =
        everyWorker.stream()
            .mapToLong(w -> NO_HEARTBEAT.matcher(w.child().stderr()).results().count())
            .sum();
    table.append(
        String.format(Locale.ROOT, "requeues for a missed heartbeat (live workers): %d%n", silent));
    System.out.print(table);
    try {
      Files.writeString(crew.logDir().resolve("KillIT-report.txt"), table, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Counts the lines of a growing file, reading only what was appended since the last call. */
  private static final class LineCounter {
    private final Path file;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private long position;
    private long lines;

    LineCounter(Path file) {
      this.file = file;
    }

    synchronized long lines() {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        channel.position(position);
        int n;
        while ((n = channel.read(buffer)) > 0) {
          for (int i = 0; i < n; i++) {
            if (buffer.get(i) == '\n') {
              lines++;
            }
          }
          position += n;
          buffer.clear();
        }
      } catch (NoSuchFileException e) {
        return 0;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return lines;
    }
  }
}
