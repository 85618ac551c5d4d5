package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Graceful stop with real processes: SIGTERM makes a worker stop taking tasks, let its running ones
 * finish for up to {@code --drain-timeout}, hand back the rest, and leave; no item is lost or
 * delivered twice.
 *
 * <p>The worker to be stopped is started by this class itself ({@link CrewLaunchers#startWorker}
 * always passes {@code --drain-timeout 5s}, and the worker refuses an option given twice).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class DrainIT {
  private static final Duration DRAIN = Duration.ofSeconds(3);

  /**
   * What the test allows from SIGTERM to the process's exit: the drain timeout with slack for a
   * loaded host.
   */
  private static final Duration EXIT_LIMIT = DRAIN.plusSeconds(10);

  private static final List<String> LEASE_OPTIONS =
      List.of("--lease-timeout", "4s", "--heartbeat", "500ms");
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

  /** A JVM that ran its shutdown hooks on SIGTERM exits with 128 + 15. */
  private static final int SIGTERM_STATUS = 143;

  private static final Set<String> KEPT_CREW_ENV =
      Set.of("CREW_JAVA_OPTS", "CREW_MVN", "CREW_JVM_DIR");
  private static final Pattern LEFT =
      Pattern.compile("worker (\\S+:\\d+) left cluster '([^']*)' after .*");

  private CrewLaunchers crew;

  /**
   * Children this class started itself (not through {@link CrewLaunchers}); stopped in {@link
   * #stopOwn()}.
   */
  private final List<CrewLaunchers.Child> own = new CopyOnWriteArrayList<>();

  private final AtomicInteger ownCounter = new AtomicInteger();
  private Thread exitHook;

  @BeforeAll
  void buildJars() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    exitHook =
        new Thread(() -> own.forEach(c -> c.process().destroyForcibly()), "drain-it-cleanup");
    Runtime.getRuntime().addShutdownHook(exitHook);
    crew.ensureJars();
  }

  @AfterEach
  void stopOwn() {
    for (CrewLaunchers.Child child : own) {
      crew.stop(child);
    }
    crew.stopAll();
  }

  @AfterAll
  void close() {
    try {
      if (crew != null) {
        crew.close();
      }
    } finally {
      Runtime.getRuntime().removeShutdownHook(exitHook);
    }
  }

  /**
   * A worker busy with a job of many short tasks is stopped with SIGTERM: it finishes what it runs,
   * leaves well within its drain timeout, and the other worker completes the job, every item
   * exactly once; the coordinator that streams the results goes on and exits 0.
   *
   * <p>Found with this test: the streaming coordinator sometimes dies with exit code 4 and
   * "coordinator: Connection closed by the other side" (a TargetDisconnectedException from {@code
   * IMap.getAll} in {@code JobRun.recover}, which the Hazelcast client does not retry) when the
   * stopped worker's connection closes. See the report; the detached variant below covers the
   * worker side meanwhile.
   */
  @Test
  void sigtermBusyWorker_exitsWithinGrace_jobCompletesExactlyOnce() throws IOException {
    busyWorkerStopped(false);
  }

  /**
   * As {@link #sigtermBusyWorker_exitsWithinGrace_jobCompletesExactlyOnce}, with the job submitted
   * with {@code --detach} and its results read with {@code coordinator status} and {@code
   * coordinator results} (connected to the staying worker) once it is done: the worker side of the
   * drain without the streaming coordinator.
   */
  @Test
  void sigtermBusyWorker_detachedJob_exitsWithinGrace_jobCompletesExactlyOnce() throws IOException {
    busyWorkerStopped(true);
  }

  private void busyWorkerStopped(boolean detached) throws IOException {
    String cluster = CrewLaunchers.randomClusterName();
    int base = CrewLaunchers.freePortBase(2);
    List<String> join = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
    // Sleep items on the CPU lane, one per task: 8 threads per worker (sleeping costs no CPU), 400
    // x 250 ms is ~6 s on
    // both workers and ~12 s once one has left. Few, longer tasks keep the job's length about the
    // items, not about
    // the per-task overhead, which on a loaded host has been seen to dominate tasks of 30 ms items.
    List<String> laneOptions = new ArrayList<>(LEASE_OPTIONS);
    laneOptions.addAll(List.of("--cpu-threads", "8"));
    CrewLaunchers.Worker stopped = startDrainingWorker(cluster, base, join, 1, laneOptions);
    CrewLaunchers.Worker staying = crew.startWorker(cluster, base + 1, join, 2, laneOptions);
    awaitMembers(stopped, staying);
    int count = 400;
    Path input =
        Files.write(crew.logDir().resolve("sleep-400x250.txt"), Collections.nCopies(count, "250"));
    List<String> submit =
        new ArrayList<>(
            List.of(
                "submit",
                "sleep",
                "--input",
                input.toString(),
                "--lane",
                "cpu",
                "--chunk",
                "1",
                "--connect",
                staying.name() + "," + stopped.name(),
                "--cluster",
                cluster));

    CrewLaunchers.Child coordinator = null;
    String job = null;
    int doneAtStop;
    if (detached) {
      submit.add("--detach");
      CrewLaunchers.Run submitted =
          crew.coordinator("sleep-cpu-lane-detached", JOB_TIMEOUT, submit.toArray(String[]::new));
      assertThat(submitted.exitCode()).as(submitted::describe).isZero();
      String id =
          submitted.stdoutLines().stream()
              .filter(l -> !l.isBlank())
              .findFirst()
              .orElseThrow()
              .trim();
      job = id;
      // The job is queued and both workers' slots are full: stop at once (polling the status, a JVM
      // start each time,
      // has taken longer than the whole job on a loaded host). That the stopped worker did run
      // items of the job, and
      // that the stop landed mid-job, are checked from the results and its log.
      doneAtStop = -1;
    } else {
      CrewLaunchers.Child streaming =
          crew.startCoordinator("sleep-cpu-lane", submit.toArray(String[]::new));
      coordinator = streaming;
      // Stop it once it has delivered some results of its own: it is certainly busy with the job
      // then.
      await("results from the worker to be stopped")
          .atMost(JOB_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                assertThat(streaming.process().isAlive()).as(streaming::describe).isTrue();
                assertThat(countWorker(streaming.stdout(), stopped.name()))
                    .as(() -> "results by " + stopped.name() + "\n" + streaming.describe())
                    .isGreaterThanOrEqualTo(16);
              });
      doneAtStop = (int) streaming.stdout().lines().count();
    }
    Duration exit = sigtermAndTimeExit(stopped);
    System.out.printf(
        "[DrainIT] busy worker (%s job) exited %d ms after SIGTERM (%s of %d items were out; drain timeout %s)%n",
        detached ? "detached" : "streamed",
        exit.toMillis(),
        doneAtStop < 0 ? "?" : doneAtStop,
        count,
        DRAIN);
    assertThat(exit)
        .as(() -> "time from SIGTERM to exit\n" + stopped.describe())
        .isLessThan(EXIT_LIMIT);
    assertThat(stopped.child().process().exitValue())
        .as(
            () ->
                "exit code: 0, or 143 = the JVM's status after SIGTERM (see the disabled exit-code test)\n"
                    + stopped.describe())
        .isIn(0, SIGTERM_STATUS);
    assertThat(stopped.child().stderr()).as(() -> stopped.describe()).containsPattern(LEFT);
    Matcher left = LEFT.matcher(stopped.child().stderr());
    assertThat(left.find()).isTrue();
    Matcher ran = Pattern.compile("ran (\\d+) tasks, (\\d+) items").matcher(left.group());
    assertThat(ran.find()).as(left.group()).isTrue();
    int ranByStopped = Integer.parseInt(ran.group(2));
    assertThat(ranByStopped)
        .as(
            () ->
                "items the stopped worker ran: it was busy, and stopped mid-job\n"
                    + stopped.describe())
        .isBetween(1, count - 1);
    if (!detached) {
      assertThat(doneAtStop).as("items done at the stop: it landed mid-job").isLessThan(count);
    }

    CrewLaunchers.Run run;
    if (detached) {
      String id = job;
      await("job " + id + " done")
          .atMost(JOB_TIMEOUT)
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> status(cluster, staying.name(), id).contains("job " + id + ": done"));
      run =
          crew.coordinator(
              "results",
              JOB_TIMEOUT,
              "results",
              id,
              "--connect",
              staying.name(),
              "--cluster",
              cluster);
    } else {
      run = crew.awaitCoordinator(coordinator, JOB_TIMEOUT);
    }
    String logs = run.describe() + "\n" + stopped.describe() + "\n" + staying.describe();
    assertThat(run.exitCode()).as(() -> logs).isZero();
    Map<Integer, JobOutput.Line> lines = byIndexExactlyOnce(run, count, logs);
    for (JobOutput.Line line : lines.values()) {
      assertThat(line.ok() && line.result().asLong() == 250L)
          .as(() -> "result 250 in " + line.raw() + "\n" + logs)
          .isTrue();
    }
    Map<String, Long> perWorker =
        lines.values().stream()
            .collect(Collectors.groupingBy(JobOutput.Line::worker, Collectors.counting()));
    System.out.println("[DrainIT] items per worker: " + perWorker);
    assertThat(perWorker)
        .as(() -> "items per worker\n" + logs)
        .containsOnlyKeys(stopped.name(), staying.name());
    if (!detached) {
      JobOutput.Summary summary = JobOutput.summary(run);
      assertThat(summary.ok()).as(summary.toString()).isEqualTo(count);
      assertThat(summary.failed()).as(summary.toString()).isZero();
    }
    assertThat(staying.child().process().isAlive())
        .as(() -> "staying worker died\n" + staying.describe())
        .isTrue();
  }

  /**
   * The worker to be stopped holds a task longer than its drain timeout: it waits the drain
   * timeout, hands the task back and leaves; the other worker runs it, and the job completes with
   * every item exactly once.
   */
  @Test
  void sigtermWorkerHoldingLongTask_handsItBackAfterDrainTimeout_jobCompletesExactlyOnce()
      throws IOException {
    String cluster = CrewLaunchers.randomClusterName();
    int base = CrewLaunchers.freePortBase(4);
    List<String> join = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
    // Both workers run one CPU task at a time, so whichever claims the long item runs nothing else
    // until it ends; once the short items are done, it is the worker whose CPU lane is busy, and
    // it is stopped then. The long item only has to outlast the short ones and the drain timeout
    // (the job is queued with both workers up: no worker's start is on the clock).
    long longMillis = 20_000;
    int shorts = 40;
    int count = shorts + 1;
    List<CrewLaunchers.Worker> workers = new ArrayList<>();
    List<Integer> httpPorts = List.of(base + 2, base + 3);
    for (int i = 0; i < 2; i++) {
      List<String> options = new ArrayList<>(LEASE_OPTIONS);
      options.addAll(
          List.of(
              "--cpu-threads",
              "1",
              "--http-port",
              Integer.toString(httpPorts.get(i)),
              "--http-bind",
              "127.0.0.1"));
      workers.add(startDrainingWorker(cluster, base + i, join, i + 1, options));
    }
    awaitMembers(workers.get(0), workers.get(1));
    List<String> items = new ArrayList<>(Collections.nCopies(shorts, "10"));
    items.addFirst(Long.toString(longMillis));
    Path input = Files.write(crew.logDir().resolve("sleep-long-first.txt"), items);
    String connect = workers.get(0).name() + "," + workers.get(1).name();

    CrewLaunchers.Run submitted =
        crew.coordinator(
            "submit-detached",
            JOB_TIMEOUT,
            "submit",
            "sleep",
            "--input",
            input.toString(),
            "--lane",
            "cpu",
            "--chunk",
            "1",
            "--detach",
            "--connect",
            connect,
            "--cluster",
            cluster);
    long queuedNanos = System.nanoTime();
    assertThat(submitted.exitCode()).as(submitted::describe).isZero();
    String job =
        submitted.stdoutLines().stream().filter(l -> !l.isBlank()).findFirst().orElseThrow().trim();
    System.out.println("[DrainIT] detached job " + job);

    // The short items done, and one worker's CPU lane busy: that one holds the long item.
    int[] holder = {-1};
    await("the short items of job " + job + " done, one worker running the long one")
        .atMost(JOB_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              long done = 0;
              List<Integer> busy = new ArrayList<>();
              for (int i = 0; i < 2; i++) {
                String page = WorkerMetrics.scrape(httpPorts.get(i));
                done +=
                    (long)
                        Math.max(
                            0,
                            WorkerMetrics.value(
                                page, "crew_items_total", "task", "sleep", "outcome", "ok"));
                if (WorkerMetrics.value(page, "crew_lane_busy", "lane", "cpu") > 0) {
                  busy.add(i);
                }
              }
              holder[0] = busy.size() == 1 ? busy.getFirst() : -1;
              return done == shorts && holder[0] >= 0;
            });
    long sinceQueued = Duration.ofNanos(System.nanoTime() - queuedNanos).toMillis();
    CrewLaunchers.Worker stopped = workers.get(holder[0]);
    CrewLaunchers.Worker staying = workers.get(1 - holder[0]);
    assertThat(sinceQueued)
        .as("the long item must still be running at the stop (make it longer)")
        .isLessThan(longMillis - DRAIN.toMillis());

    Duration exit = sigtermAndTimeExit(stopped);
    System.out.printf(
        "[DrainIT] worker holding the %d ms item exited %d ms after SIGTERM (drain timeout %s; stopped %d ms after"
            + " queuing, %d/%d items done)%n",
        longMillis, exit.toMillis(), DRAIN, sinceQueued, shorts, count);
    assertThat(exit)
        .as(() -> "time from SIGTERM to exit\n" + stopped.describe())
        .isLessThan(EXIT_LIMIT);
    // It waited for the drain timeout before handing the task back (less a little for the timer's
    // granularity).
    assertThat(exit)
        .as(() -> "time from SIGTERM to exit\n" + stopped.describe())
        .isGreaterThan(DRAIN.minusMillis(200));
    assertThat(stopped.child().process().exitValue())
        .as(
            () ->
                "exit code: 0, or 143 = the JVM's status after SIGTERM (see the disabled exit-code test)\n"
                    + stopped.describe())
        .isIn(0, SIGTERM_STATUS);
    assertThat(stopped.child().stderr())
        .as(() -> stopped.describe())
        .containsPattern(LEFT)
        .contains("1 tasks still running at the drain timeout were handed back");

    await("job " + job + " done")
        .atMost(Duration.ofMillis(longMillis).plus(JOB_TIMEOUT))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> status(cluster, staying.name(), job).contains("job " + job + ": done"));

    CrewLaunchers.Run results =
        crew.coordinator(
            "results",
            JOB_TIMEOUT,
            "results",
            job,
            "--connect",
            staying.name(),
            "--cluster",
            cluster);
    String logs = results.describe() + "\n" + stopped.describe() + "\n" + staying.describe();
    assertThat(results.exitCode()).as(() -> logs).isZero();
    Map<Integer, JobOutput.Line> lines = byIndexExactlyOnce(results, count, logs);
    JobOutput.Line first = lines.get(0);
    assertThat(first.ok() && first.result().asLong() == longMillis)
        .as("result %d in %s", longMillis, first.raw())
        .isTrue();
    assertThat(first.worker())
        .as(() -> "the long item ran on the staying worker: " + first.raw() + "\n" + logs)
        .isEqualTo(staying.name());
    for (int i = 1; i < count; i++) {
      JobOutput.Line line = lines.get(i);
      assertThat(line.ok() && line.result().asLong() == 10L)
          .as(() -> "result 10 in " + line.raw() + "\n" + logs)
          .isTrue();
    }
  }

  /**
   * {@code bin/worker --help} documents exit code 0 for "stopped cleanly", and SIGTERM is the
   * documented way to stop it; but the worker only closes itself in a shutdown hook, so the JVM
   * exits with 143 (128 + SIGTERM) after a clean drain. Found with this test; see the report.
   */
  @Test
  void sigtermIdleWorker_exitsWithDocumentedCodeZero() {
    String cluster = CrewLaunchers.randomClusterName();
    int port = CrewLaunchers.freePortBase(1);
    CrewLaunchers.Worker worker =
        startDrainingWorker(cluster, port, List.of("127.0.0.1:" + port), 1, List.of());
    Duration exit = sigtermAndTimeExit(worker);
    System.out.printf("[DrainIT] idle worker exited %d ms after SIGTERM%n", exit.toMillis());
    assertThat(worker.child().stderr()).as(() -> worker.describe()).containsPattern(LEFT);
    assertThat(worker.child().process().exitValue())
        .as(() -> "exit code after SIGTERM (--help: 0 = stopped cleanly)\n" + worker.describe())
        .isZero();
  }

  /**
   * SIGTERM that lands the moment a new worker has joined, before it has finished starting (an
   * orchestrator scaling up and straight back down): it still drains and leaves the cluster, exit
   * code 0. Found with the Compose test: the signal came before the worker had taken SIGTERM over,
   * and the JVM ended with 143 without leaving the cluster gracefully.
   */
  @Test
  void sigtermWhileJoining_stillLeavesCleanly() {
    String cluster = CrewLaunchers.randomClusterName();
    int base = CrewLaunchers.freePortBase(2);
    List<String> join = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
    CrewLaunchers.Worker staying = crew.startWorker(cluster, base, join, 1);
    CrewLaunchers.Child joining = startDrainingChild(cluster, base + 1, join, List.of());
    String name = "127.0.0.1:" + (base + 1);
    await("the staying worker seeing " + name + " join")
        .atMost(CrewLaunchers.START_TIMEOUT)
        .pollInterval(Duration.ofMillis(10))
        .untilAsserted(
            () ->
                assertThat(staying.child().stderr())
                    .as(() -> staying.describe() + "\n" + joining.describe())
                    .contains("member " + name + " joined; the cluster has 2 members"));
    Duration exit = sigtermAndTimeExit(new CrewLaunchers.Worker(name, joining));
    System.out.printf(
        "[DrainIT] worker stopped while joining exited %d ms after SIGTERM%n", exit.toMillis());
    String logs = joining.describe() + "\n" + staying.describe();
    assertThat(joining.process().exitValue())
        .as(() -> "exit code after SIGTERM while joining\n" + logs)
        .isZero();
    assertThat(joining.stderr()).as(() -> logs).containsPattern(LEFT);
    await("the staying worker seeing " + name + " leave")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(staying.child().stderr())
                    .as(() -> staying.describe())
                    .contains("member " + name + " left; the cluster has 1 members"));
  }

  /**
   * Sends SIGTERM to the worker's JVM (the launcher execs java) and returns how long it took to
   * exit.
   */
  private Duration sigtermAndTimeExit(CrewLaunchers.Worker worker) {
    Process process = worker.child().process();
    long start = System.nanoTime();
    process.destroy();
    try {
      if (!process.waitFor(EXIT_LIMIT.plusSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "worker still running "
                + EXIT_LIMIT.plusSeconds(20)
                + " after SIGTERM\n"
                + worker.describe());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private String status(String cluster, String connect, String job) {
    CrewLaunchers.Run run =
        crew.coordinator(
            "status", JOB_TIMEOUT, "status", job, "--connect", connect, "--cluster", cluster);
    assertThat(run.exitCode()).as(run::describe).isZero();
    return String.join("\n", run.stdoutLines());
  }

  private static long countWorker(String stdout, String worker) {
    String needle = "\"worker\":\"" + worker + "\"";
    return stdout.lines().filter(l -> l.contains(needle)).count();
  }

  private void awaitMembers(CrewLaunchers.Worker first, CrewLaunchers.Worker second) {
    await("first worker seeing 2 members")
        .atMost(CrewLaunchers.START_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(first.child().stderr())
                    .as(() -> first.describe())
                    .contains("member " + second.name() + " joined; the cluster has 2 members"));
  }

  private Map<Integer, JobOutput.Line> byIndexExactlyOnce(
      CrewLaunchers.Run run, int count, String logs) {
    List<JobOutput.Line> lines = JobOutput.lines(run);
    Map<Integer, List<JobOutput.Line>> grouped =
        lines.stream().collect(Collectors.groupingBy(JobOutput.Line::index));
    List<Integer> twice =
        grouped.entrySet().stream()
            .filter(e -> e.getValue().size() > 1)
            .map(Map.Entry::getKey)
            .toList();
    assertThat(twice).as(() -> "indexes delivered more than once\n" + logs).isEmpty();
    assertThat(grouped.keySet())
        .as(() -> "indexes delivered\n" + logs)
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, count).boxed().toList());
    return lines.stream().collect(Collectors.toMap(JobOutput.Line::index, Function.identity()));
  }

  /**
   * Starts {@code bin/worker} with {@code --drain-timeout 3s} (and the same other options as {@link
   * CrewLaunchers#startWorker}) and waits until it has joined {@code cluster} with {@code
   * expectedMembers}.
   */
  private CrewLaunchers.Worker startDrainingWorker(
      String cluster, int port, List<String> join, int expectedMembers, List<String> extraArgs) {
    return CrewLaunchers.awaitJoined(
        startDrainingChild(cluster, port, join, extraArgs), cluster, port, expectedMembers);
  }

  /**
   * Starts {@code bin/worker} as {@link #startDrainingWorker} does, without waiting for it to join.
   */
  private CrewLaunchers.Child startDrainingChild(
      String cluster, int port, List<String> join, List<String> extraArgs) {
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
                DRAIN.toSeconds() + "s"));
    args.addAll(extraArgs);
    return startOwn("worker-" + port + "-drain", "bin/worker", args);
  }

  /**
   * As CrewLaunchers' own start: logs under its log folder, no stdin, no inherited CREW_* options.
   */
  private CrewLaunchers.Child startOwn(String label, String launcher, List<String> args) {
    String name = String.format("own-%02d-%s", ownCounter.incrementAndGet(), label);
    Path out = crew.logDir().resolve(name + ".out");
    Path err = crew.logDir().resolve(name + ".err");
    List<String> command = new ArrayList<>();
    command.add(crew.home().resolve(launcher).toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(crew.logDir().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("CREW_") && !KEPT_CREW_ENV.contains(k));
    try {
      long startedNanos = System.nanoTime();
      CrewLaunchers.Child child =
          new CrewLaunchers.Child(
              name, String.join(" ", command), builder.start(), out, err, startedNanos);
      own.add(child);
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }
}
