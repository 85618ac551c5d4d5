package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A network partition with real processes on a private network: three workers ({@code bin/worker})
 * and a coordinator ({@code bin/coordinator submit}), each in a network namespace of its own,
 * joined by a bridge that this test creates ({@code deploy/test/lib/netns.sh}). Mid-job the link of
 * one worker (never the oldest member, which reaps leases) is cut for longer than its lease and its
 * member timeout, then restored.
 *
 * <p>The design under test: Hazelcast drops a silent member after twice the lease timeout (at least
 * 10 s; calls on its partitions wait until then), and the oldest survivor puts the cut-off worker's
 * leased tasks back at once. The cut-off worker, alone, forms a one-member cluster and goes on with
 * the tasks it holds (and those of its copy of the queue). When the link is back it merges into the
 * survivors' cluster; every result it recorded for a task that already has one is dropped there and
 * counted ({@code FirstResultMergePolicy}); the survivors log the count and every worker's last
 * line totals its late duplicates. The coordinator prints every item exactly once throughout.
 *
 * <p>Nothing leaves the namespaces: the bridge has no address, the subnet (10.213.X.0/24, X random)
 * exists only inside them. Everything (processes, namespaces, veths, bridge) is removed in
 * {@code @AfterAll} and, should the JVM be stopped early, by a shutdown hook. The test fails when
 * this environment cannot create namespaces (not root, no ip): it is never skipped.
 *
 * <p>One scenario run serves both tests: the first that runs performs it, the other reads its
 * outcome. Each run writes what it saw to {@code deploy/target/e2e-logs/PartitionIT/report.txt},
 * next to every process's log.
 */
@Tag("faults")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PartitionIT {
  private static final int WORKERS = 3;
  private static final int ITEMS = 600;
  private static final String ITEM = "200"; // a 200 ms sleep
  private static final String LEASE_TIMEOUT = "3s";
  private static final Duration LEASE = Duration.ofSeconds(3);

  /**
   * The workers' member-removal timeout: twice the lease timeout, at least 10 s, as Worker.start
   * sets it.
   */
  private static final Duration MEMBER_TIMEOUT =
      Duration.ofSeconds(Math.max(10, 2 * LEASE.toSeconds()));

  /**
   * How long the victim's link is down: past its member timeout, so the survivors drop it and take
   * its tasks back.
   */
  private static final Duration CUT = MEMBER_TIMEOUT.plusSeconds(3);

  /**
   * After the restore, the victim's one-member cluster merges back within this (merge checks every
   * 5 s).
   */
  private static final Duration MERGE_TIMEOUT = Duration.ofSeconds(45);

  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  /** Environment the children must not inherit: it would change the options under test. */
  private static final Set<String> KEPT_CREW_ENV =
      Set.of("CREW_JAVA_OPTS", "CREW_MVN", "CREW_JVM_DIR");

  private static final Pattern JOINED =
      Pattern.compile("worker (\\S+:\\d+) joined cluster '([^']*)': (\\d+) members");
  private static final Pattern MEMBERS =
      Pattern.compile(
          "(?:joined cluster '[^']*': (\\d+) members|; the cluster has (\\d+) members)");
  private static final String TIME = "(\\d\\d:\\d\\d:\\d\\d\\.\\d{3})";
  private static final Pattern PUT_BACK =
      Pattern.compile(
          "^"
              + TIME
              + " WARN +LeaseReaper - worker (\\S+) (.+?): put (\\d+) of its tasks back on their queues$",
          Pattern.MULTILINE);
  private static final Pattern DUPLICATE =
      Pattern.compile(
          "^"
              + TIME
              + " INFO +MapResultSink - task (\\S+) already had a result.*dropped this late duplicate",
          Pattern.MULTILINE);
  private static final Pattern MERGE_DROPPED =
      Pattern.compile(
          "^"
              + TIME
              + " WARN +LeaseReaper - a split-off part of the cluster merged back: dropped (\\d+) duplicate",
          Pattern.MULTILINE);
  private static final Pattern MEMBER_LEFT =
      Pattern.compile(
          "^" + TIME + " INFO +MemberLog - member (\\S+) left; the cluster has (\\d+) members$",
          Pattern.MULTILINE);
  private static final Pattern SUSPECTING =
      Pattern.compile(
          "^"
              + TIME
              + " WARN +ClusterHeartbeatManager - .*Suspecting Member \\[([^\\]]+)\\]:(\\d+)",
          Pattern.MULTILINE);
  private static final Pattern EXPIRED_HEARTBEAT =
      Pattern.compile(
          "^" + TIME + " WARN +ClusterHeartbeatManager - .*Ignoring heartbeat from Member",
          Pattern.MULTILINE);
  private static final Pattern LATE_DROPPED =
      Pattern.compile(
          "; (\\d+) late (?:duplicate results dropped|results dropped whose block this cluster no"
              + " longer holds)");

  private static final Pattern LEFT_CLUSTER =
      Pattern.compile(
          "worker (\\S+) left cluster '[^']*' after [0-9.]+ s: ran (\\d+) tasks, (\\d+) items(.*)$",
          Pattern.MULTILINE);
  private static final Pattern CLUSTER_WORKERS =
      Pattern.compile("^cluster '[^']*': (\\d+) workers", Pattern.MULTILINE);
  private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String cluster = "crewp-" + randomId(8);
  private final List<Child> children = new CopyOnWriteArrayList<>();
  private final AtomicBoolean cleanedUp = new AtomicBoolean();
  private final StringBuilder report = new StringBuilder();
  private final long classStarted = System.nanoTime();
  private Path home;
  private Path netnsScript;
  private Path logDir;
  private String netId;
  private int octet;
  private boolean networkCreated;
  private Thread exitHook;
  private final List<Child> workers = new ArrayList<>();
  private final List<String> workerNames = new ArrayList<>();
  private Outcome outcome;
  private AssertionError scenarioFailure;

  // ---------------------------------------------------------------------------------------------------------------
  // The tests

  @Test
  @Order(1)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void cutOneWorkerLongerThanItsLease_jobCompletesExactlyOnce_duplicatesCounted() {
    Outcome o = outcome();
    assertExactlyOnce(o);

    // The survivors put the victim's tasks back: it left their cluster when its lease (= member
    // timeout) ran out.
    assertThat(o.putBacks().stream().mapToInt(PutBack::count).sum())
        .as(
            "tasks of the victim put back by the survivors (cut of %d ms); put-back lines: %s%n%s",
            o.cutMillis(), o.putBacks(), o.report())
        .isPositive();
    // The survivors kept heartbeating all along: none of them may lose its tasks.
    assertThat(o.survivorPutBacks())
        .as("tasks of a healthy (not cut) worker put back by the reaper%n%s", o.report())
        .isEmpty();
    // The victim came back: its one-member cluster merged into the survivors'.
    assertThat(o.victimStillMember())
        .as("the victim rejoined within %s of the job's end%n%s", MERGE_TIMEOUT, o.report())
        .isTrue();
    // The victim went on running the tasks it held (and, alone, those of its copies of the job's
    // blocks); their results lost to the survivors' and were dropped, and counted, either when it
    // wrote them or when its cluster merged back. A victim that held no copy of the blocks its
    // tasks came from drops their results as of blocks its side does not hold.
    assertThat(o.droppedAtLeave())
        .as("late results the workers counted as dropped%n%s", o.report())
        .isPositive();
  }

  /**
   * What must hold whatever the membership outcome of the cut: every item delivered exactly once,
   * with its result. Reports (does not assert) what the cluster did: requeues, duplicates, member
   * removals.
   */
  @Test
  @Order(2)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void cutOneWorkerLongerThanItsLease_everyItemStillDeliveredExactlyOnce() {
    Outcome o = outcome();
    assertExactlyOnce(o);
    System.out.printf(
        "PartitionIT: exactly-once held through a %d ms cut of %s.%n", o.cutMillis(), o.victim());
  }

  private static void assertExactlyOnce(Outcome o) {
    assertThat(o.exitCode()).as("coordinator exit code%n%s", o.report()).isZero();
    assertThat(o.lines()).as("one line per item%n%s", o.report()).hasSize(ITEMS);
    Map<Integer, Integer> perIndex = new LinkedHashMap<>();
    for (Line line : o.lines()) {
      perIndex.merge(line.index(), 1, Integer::sum);
      assertThat(line.error()).as("no item failed: %s", line.raw()).isNull();
      assertThat(line.result()).as("result of %s", line.raw()).isEqualTo(200L);
    }
    List<Integer> twice =
        perIndex.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    assertThat(twice).as("indexes printed more than once").isEmpty();
    assertThat(perIndex.keySet()).as("every index 0..%d exactly once", ITEMS - 1).hasSize(ITEMS);
    assertThat(Collections.min(perIndex.keySet())).isZero();
    assertThat(Collections.max(perIndex.keySet())).isEqualTo(ITEMS - 1);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Setup and teardown

  @BeforeAll
  void setUp() {
    assertThat(System.getProperty("os.name", "").toLowerCase(Locale.ROOT))
        .as("network namespaces need Linux")
        .contains("linux");
    home = Path.of(System.getProperty("crew.home", "..")).toAbsolutePath().normalize();
    assertThat(home.resolve("bin/worker")).as("bin/worker under crew.home=%s", home).isExecutable();
    assertThat(home.resolve("bin/coordinator"))
        .as("bin/coordinator under crew.home=%s", home)
        .isExecutable();
    netnsScript = home.resolve("deploy/test/lib/netns.sh");
    assertThat(netnsScript).as("the namespace helper").isExecutable();
    Result check = run(Duration.ofSeconds(30), netnsScript.toString(), "check");
    String cannot =
        "cannot create network namespaces here ("
            + check.output().strip()
            + "); the partition test needs root and"
            + " iproute2";
    // Without root (or iproute2) the test fails: bin/test -Pfaults installs iproute2 and must run
    // as root.
    assertThat(check.exitCode()).as(cannot).isZero();

    logDir = CrewLaunchers.freshLogDir(getClass().getSimpleName());
    // From here on, whatever happens, the JVM takes our processes and network down with it.
    exitHook = new Thread(this::cleanUp, "crewp-cleanup");
    Runtime.getRuntime().addShutdownHook(exitHook);

    long t = System.nanoTime();
    createNetwork();
    note(
        "network %s: bridge crewp-%s-br, 10.213.%d.0/24, %d namespaces (%d ms)",
        netId, netId, octet, WORKERS + 1, ms(t));

    t = System.nanoTime();
    Child warmUp =
        start("warm-up", List.of(home.resolve("bin/coordinator").toString(), "--version"));
    int rc = waitFor(warmUp, BUILD_TIMEOUT);
    assertThat(rc).as("bin/coordinator --version%n%s", warmUp.describe()).isZero();
    note("jars ready (%d ms)", ms(t));

    t = System.nanoTime();
    String join = String.join(",", ip(1), ip(2), ip(3));
    // Worker 1 first and alone, so that it is the oldest member (the one that reaps leases) and
    // never the victim;
    // then the other two together (the master admits both in one join round, which saves one round
    // on a slow host).
    workers.add(startWorker(1, join));
    workerNames.add(awaitJoined(workers.get(0), 1, 1));
    for (int i = 2; i <= WORKERS; i++) {
      workers.add(startWorker(i, join));
    }
    for (int i = 2; i <= WORKERS; i++) {
      workerNames.add(awaitJoined(workers.get(i - 1), 2, WORKERS));
    }
    await("every worker seeing " + WORKERS + " members")
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> workers.stream().allMatch(w -> lastMemberCount(w) == WORKERS));
    note("workers %s up, each sees %d members (%d ms)", workerNames, WORKERS, ms(t));
  }

  @AfterAll
  void tearDown() {
    try {
      long t = System.nanoTime();
      cleanUp();
      if (networkCreated) {
        note(
            "teardown: processes stopped, network %s destroyed (%d ms); whole class %d ms",
            netId, ms(t), ms(classStarted));
      }
      writeReport();
    } finally {
      if (exitHook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
          // the JVM is exiting: the hook runs anyway (and finds nothing left to do)
        }
      }
    }
  }

  /**
   * Stops every child (SIGTERM, then SIGKILL), then removes the namespaces, veths and bridge. Runs
   * once.
   */
  private void cleanUp() {
    if (!cleanedUp.compareAndSet(false, true)) {
      return;
    }
    for (Child child : children) {
      if (child.process().isAlive()) {
        child.process().destroy();
      }
    }
    for (Child child : children) {
      stop(child);
    }
    if (netId != null) {
      // Also kills anything still inside our namespaces (only our children can be there). Run even
      // if create did not
      // report success: it may have been stopped half-way; destroy only touches crewp-ID-* names.
      Result destroy = run(Duration.ofSeconds(60), netnsScript.toString(), "destroy", netId);
      if (destroy.exitCode() != 0) {
        System.err.println(
            "PartitionIT: netns.sh destroy " + netId + " failed: " + destroy.output());
      }
    }
  }

  private void createNetwork() {
    Set<Integer> taken = new HashSet<>();
    Matcher used =
        Pattern.compile("10\\.213\\.(\\d+)\\.")
            .matcher(
                run(COMMAND_TIMEOUT, "ip", "-o", "addr").output()
                    + run(COMMAND_TIMEOUT, "ip", "route").output());
    while (used.find()) {
      taken.add(Integer.parseInt(used.group(1)));
    }
    Result last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      String candidate = randomId(4);
      do {
        octet = 1 + ThreadLocalRandom.current().nextInt(254);
      } while (taken.contains(octet));
      last =
          run(
              Duration.ofSeconds(60),
              netnsScript.toString(),
              "create",
              candidate,
              Integer.toString(octet),
              Integer.toString(WORKERS + 1));
      if (last.output().contains("ID in use")) {
        continue; // another run's network: never ours to destroy
      }
      netId =
          candidate; // from here on cleanUp destroys crewp-<netId>-*, even after a half-done create
      if (last.exitCode() == 0) {
        networkCreated = true;
        return;
      }
      break;
    }
    throw new AssertionError("netns.sh create failed:\n" + last.output());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The scenario

  private synchronized Outcome outcome() {
    if (scenarioFailure != null) {
      throw scenarioFailure;
    }
    if (outcome == null) {
      try {
        outcome = runScenario();
      } catch (AssertionError e) {
        scenarioFailure = e;
        throw e;
      } catch (RuntimeException | IOException | InterruptedException e) {
        scenarioFailure = new AssertionError("the partition scenario failed: " + e, e);
        throw scenarioFailure;
      }
    }
    return outcome;
  }

  private Outcome runScenario() throws IOException, InterruptedException {
    String victim = workerNames.get(2);
    int victimHost = 3;
    Path input = Files.write(logDir.resolve("sleep-600x200.txt"), Collections.nCopies(ITEMS, ITEM));
    long jobStart = System.nanoTime();
    Child coordinator =
        start(
            "coordinator-submit",
            inNamespace(
                WORKERS + 1,
                home.resolve("bin/coordinator").toString(),
                "--connect",
                ip(1) + "," + ip(2),
                "--cluster",
                cluster,
                "submit",
                "sleep",
                "--lane",
                "cpu",
                "--chunk",
                "1",
                "--input",
                input.toString(),
                "--no-progress"));

    // Mid-job, with the victim busy (it has printed results, so it takes tasks; two slots, 200 ms
    // items).
    await("the job under way, with results from " + victim)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              if (!coordinator.process().isAlive()) {
                throw new AssertionError(
                    "the coordinator exited before the cut\n" + coordinator.describe());
              }
              List<String> lines = readLines(coordinator.out());
              return lines.size() >= 10
                  && lines.stream().filter(l -> l.contains("\"" + victim + "\"")).count() >= 2;
            });
    long linesAtCut = readLines(coordinator.out()).size();
    assertThat(linesAtCut).as("still mid-job at the cut").isLessThan(ITEMS / 2);
    long firstVictimMs = ms(jobStart);

    Result cut =
        run(COMMAND_TIMEOUT, netnsScript.toString(), "cut", netId, Integer.toString(victimHost));
    long cutNanos = System.nanoTime();
    LocalTime cutAt = LocalTime.now();
    long linesBeforeRestore;
    Result restore;
    try {
      assertThat(cut.exitCode()).as("netns.sh cut: %s", cut.output()).isZero();
      TimeUnit.NANOSECONDS.sleep(CUT.toNanos() - (System.nanoTime() - cutNanos));
      linesBeforeRestore = readLines(coordinator.out()).size();
    } finally {
      restore =
          run(
              COMMAND_TIMEOUT,
              netnsScript.toString(),
              "restore",
              netId,
              Integer.toString(victimHost));
    }
    long cutMillis = ms(cutNanos);
    LocalTime restoredAt = LocalTime.now();
    assertThat(restore.exitCode()).as("netns.sh restore: %s", restore.output()).isZero();

    int exitCode = waitFor(coordinator, JOB_TIMEOUT.minusNanos(System.nanoTime() - jobStart));
    long jobMillis = ms(jobStart);
    List<Line> lines = parseLines(coordinator);

    // Membership afterwards, as the survivors' cluster sees it: the victim, once its link is back,
    // merges into it.
    long t = System.nanoTime();
    String clusterOut = "";
    int workersAfter = -1;
    boolean victimStillMember = false;
    for (int check = 1;
        !victimStillMember && System.nanoTime() - t < MERGE_TIMEOUT.toNanos();
        check++) {
      Child clusterView =
          start(
              "coordinator-cluster-" + check,
              inNamespace(
                  WORKERS + 1,
                  home.resolve("bin/coordinator").toString(),
                  "--connect",
                  ip(1) + "," + ip(2),
                  "--cluster",
                  cluster,
                  "cluster"));
      int clusterRc = waitFor(clusterView, COMMAND_TIMEOUT);
      clusterOut = read(clusterView.out()) + read(clusterView.err());
      Matcher count = CLUSTER_WORKERS.matcher(clusterOut);
      workersAfter = count.find() ? Integer.parseInt(count.group(1)) : -1;
      victimStillMember = clusterRc == 0 && workersAfter == WORKERS && clusterOut.contains(victim);
    }
    String victimView = "";
    if (!victimStillMember) {
      Child view =
          start(
              "coordinator-cluster-victim",
              inNamespace(
                  WORKERS + 1,
                  home.resolve("bin/coordinator").toString(),
                  "--connect",
                  ip(victimHost),
                  "--cluster",
                  cluster,
                  "cluster"));
      waitFor(view, COMMAND_TIMEOUT);
      victimView = read(view.out()) + read(view.err());
    }
    long clusterCheckMs = ms(t); // both views: the survivors' and (after a split) the victim's

    // Stop the workers now, so that their last lines (tasks run, late duplicates dropped) are in
    // the logs.
    t = System.nanoTime();
    workers.forEach(w -> w.process().destroy());
    for (Child w : workers) {
      stop(w);
    }
    long stopMs = ms(t);

    return analyse(
        new Timeline(
            cutAt, restoredAt, cutMillis, jobMillis, firstVictimMs, clusterCheckMs, stopMs),
        victim,
        exitCode,
        lines,
        coordinator,
        linesAtCut,
        linesBeforeRestore,
        workersAfter,
        victimStillMember,
        clusterOut,
        victimView);
  }

  private Outcome analyse(
      Timeline time,
      String victim,
      int exitCode,
      List<Line> lines,
      Child coordinator,
      long linesAtCut,
      long linesBeforeRestore,
      int workersAfter,
      boolean victimStillMember,
      String clusterOut,
      String victimView) {
    StringBuilder r = new StringBuilder();
    List<PutBack> putBacks = new ArrayList<>();
    List<PutBack> survivorPutBacks = new ArrayList<>();
    long survivorDuplicates = 0;
    List<String> removals = new ArrayList<>();
    List<String> suspicions = new ArrayList<>();
    Map<String, String> lastLines = new LinkedHashMap<>();
    long victimDuplicates = 0;
    long mergeDropped = 0;
    long droppedAtLeave = 0;
    for (int i = 0; i < WORKERS; i++) {
      String name = workerNames.get(i);
      String log = read(workers.get(i).err());
      boolean isVictim = name.equals(victim);
      Matcher m = PUT_BACK.matcher(log);
      while (m.find()) {
        PutBack putBack =
            new PutBack(
                name,
                m.group(2),
                LocalTime.parse(m.group(1)),
                m.group(3),
                Integer.parseInt(m.group(4)));
        if (m.group(2).equals(victim) && !isVictim) {
          putBacks.add(putBack);
        } else if (!isVictim && workerNames.contains(m.group(2)) && !m.group(2).equals(name)) {
          survivorPutBacks.add(putBack); // a survivor reaping another survivor's tasks
        } else {
          r.append(String.format("  %s: %s%n", name, m.group()));
        }
      }
      long dups = count(DUPLICATE, log);
      Matcher merged = MERGE_DROPPED.matcher(log);
      while (merged.find()) {
        mergeDropped += Long.parseLong(merged.group(2));
      }
      if (isVictim) {
        victimDuplicates = dups;
      } else {
        survivorDuplicates += dups;
      }
      Matcher left = MEMBER_LEFT.matcher(log);
      while (left.find()) {
        removals.add(
            name
                + " at "
                + left.group(1)
                + ": member "
                + left.group(2)
                + " left, "
                + left.group(3)
                + " members");
      }
      Matcher s = SUSPECTING.matcher(log);
      while (s.find()) {
        suspicions.add(name + " at " + s.group(1) + " suspected " + s.group(2) + ":" + s.group(3));
      }
      long expired = count(EXPIRED_HEARTBEAT, log);
      if (expired > 0) {
        suspicions.add(name + " ignored " + expired + " expired (late) heartbeats");
      }
      Matcher end = LEFT_CLUSTER.matcher(log);
      String endLine = "(no 'left cluster' line)";
      while (end.find()) {
        endLine = "ran " + end.group(2) + " tasks" + end.group(4);
        // Dropped as duplicates of another worker's result, or (on the victim, for a block its
        // one-member cluster never held a copy of) as results of a block that side does not hold.
        Matcher dropped = LATE_DROPPED.matcher(end.group(4));
        while (dropped.find()) {
          droppedAtLeave += Long.parseLong(dropped.group(1));
        }
      }
      lastLines.put(
          name + (isVictim ? " (victim)" : ""),
          endLine + "; " + dups + " 'dropped this late duplicate' lines");
    }
    Map<String, Long> perWorker = new LinkedHashMap<>();
    lines.forEach(l -> perWorker.merge(l.worker(), 1L, Long::sum));
    List<Integer> victimAfterCut = new ArrayList<>();
    for (int i = (int) Math.min(linesAtCut, lines.size()); i < lines.size(); i++) {
      if (lines.get(i).worker().equals(victim)) {
        victimAfterCut.add(lines.get(i).index());
      }
    }

    r.insert(
        0,
        String.format(
            "cut of %s (host 3): %s -> %s, %d ms (lease %s, member timeout %s)%n"
                + "job: exit %d, %d lines in %d ms; first results from the victim after %d ms; lines printed: %d at the"
                + " cut, %d just before the restore (%d during the cut)%n"
                + "items per worker: %s; victim's items printed after the cut: %d %s%n"
                + "survivors' put-back lines about the victim: %s%n"
                + "survivors' put-back lines about the other survivor (healthy workers losing their leases): %s%n"
                + "'dropped this late duplicate' lines: victim %d, survivors %d; duplicates dropped by the merge (logged):"
                + " %d; late duplicates dropped, as the workers' last lines count them: %d%n"
                + "member removals: %s%nsuspicions: %s%n"
                + "afterwards: %s%s%n"
                + "worker summaries: %s%n"
                + "timing: cluster check %d ms, stopping workers %d ms%n"
                + "other put-back lines:%n",
            victim,
            HMS.format(time.cutAt()),
            HMS.format(time.restoredAt()),
            time.cutMillis(),
            LEASE,
            MEMBER_TIMEOUT,
            exitCode,
            lines.size(),
            time.jobMillis(),
            time.firstVictimMs(),
            linesAtCut,
            linesBeforeRestore,
            linesBeforeRestore - linesAtCut,
            perWorker,
            victimAfterCut.size(),
            victimAfterCut.size() > 20 ? victimAfterCut.subList(0, 20) + "..." : victimAfterCut,
            putBacks.isEmpty() ? "none" : putBacks,
            survivorPutBacks.isEmpty() ? "none" : survivorPutBacks,
            victimDuplicates,
            survivorDuplicates,
            mergeDropped,
            droppedAtLeave,
            removals.isEmpty() ? "none" : removals,
            suspicions.isEmpty() ? "none" : suspicions,
            victimStillMember
                ? "the victim is still a member (" + workersAfter + " workers)"
                : workersAfter < 0
                    ? "membership unknown: 'coordinator cluster' failed"
                    : "SPLIT BRAIN: the survivors' cluster has "
                        + workersAfter
                        + " workers without the victim",
            victimStillMember ? "" : "; the victim sees: " + firstLine(victimView),
            lastLines,
            time.clusterCheckMs(),
            time.stopMs()));
    if (victimStillMember && victimDuplicates == 0) {
      r.append(
          String.format(
              "  (no late duplicate on the victim: nobody put its tasks back during the cut, so its late results were the"
                  + " first ones)%n"));
    }
    if (!victimStillMember && workersAfter >= 0 && victimDuplicates == 0) {
      r.append(
          String.format(
              "  (no late duplicate on the victim: it was cut off from the cluster instead of rejoining it, so its results"
                  + " went to its own one-member cluster, not to the survivors' results map)%n"));
    }
    r.append("coordinator stderr: ")
        .append(String.join(" | ", readLines(coordinator.err())))
        .append('\n');
    r.append("cluster view: ").append(clusterOut.strip().replace("\n", " | ")).append('\n');
    note("%s", r.toString().strip());
    return new Outcome(
        victim,
        exitCode,
        lines,
        time.cutMillis(),
        putBacks,
        survivorPutBacks,
        victimDuplicates,
        survivorDuplicates,
        mergeDropped,
        droppedAtLeave,
        victimStillMember,
        r.toString());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Model

  private record Timeline(
      LocalTime cutAt,
      LocalTime restoredAt,
      long cutMillis,
      long jobMillis,
      long firstVictimMs,
      long clusterCheckMs,
      long stopMs) {}

  private record PutBack(String by, String of, LocalTime at, String reason, int count) {
    @Override
    public String toString() {
      return by
          + " at "
          + HMS.format(at)
          + " about "
          + of
          + ": "
          + reason
          + ", put "
          + count
          + " back";
    }
  }

  private record Outcome(
      String victim,
      int exitCode,
      List<Line> lines,
      long cutMillis,
      List<PutBack> putBacks,
      List<PutBack> survivorPutBacks,
      long victimDuplicates,
      long survivorDuplicates,
      long mergeDropped,
      long droppedAtLeave,
      boolean victimStillMember,
      String report) {}

  private record Line(int index, Long result, String error, String worker, String raw) {}

  private static List<Line> parseLines(Child coordinator) {
    List<Line> lines = new ArrayList<>();
    for (String raw : readLines(coordinator.out())) {
      JsonNode node;
      try {
        node = JSON.readTree(raw);
      } catch (IOException e) {
        throw new AssertionError(
            "stdout line is not JSON: " + raw + "\n" + coordinator.describe(), e);
      }
      assertThat(
              node != null
                  && node.isObject()
                  && node.path("index").isIntegralNumber()
                  && node.path("worker").isTextual())
          .as("not an item line: %s", raw)
          .isTrue();
      lines.add(
          new Line(
              node.get("index").asInt(),
              node.path("result").isIntegralNumber() ? node.get("result").asLong() : null,
              node.has("error") ? node.get("error").asText() : null,
              node.get("worker").asText(),
              raw));
    }
    return lines;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Processes

  private record Child(String label, String command, Process process, Path out, Path err) {
    String describe() {
      return "--- "
          + label
          + " (pid "
          + process.pid()
          + "): "
          + command
          + "\n--- stdout "
          + out
          + " (tail):\n"
          + tail(out, 15)
          + "\n--- stderr "
          + err
          + " (tail):\n"
          + tail(err, 40);
    }
  }

  private record Result(int exitCode, String output) {}

  private List<String> inNamespace(int host, String... command) {
    List<String> full =
        new ArrayList<>(List.of("ip", "netns", "exec", "crewp-" + netId + "-n" + host));
    full.addAll(Arrays.asList(command));
    return full;
  }

  private String ip(int host) {
    return "10.213." + octet + "." + (10 + host);
  }

  private Child start(String label, List<String> command) {
    if (cleanedUp.get()) {
      throw new IllegalStateException("not starting " + label + ": the test is being torn down");
    }
    String name = String.format("%02d-%s", children.size() + 1, label);
    Path out = logDir.resolve(name + ".out");
    Path err = logDir.resolve(name + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(logDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("CREW_") && !KEPT_CREW_ENV.contains(k));
    // The launchers need a JDK 21+; the one running this test is one.
    env.put("JAVA_HOME", System.getProperty("java.home"));
    try {
      Child child = new Child(name, String.join(" ", command), builder.start(), out, err);
      children.add(child);
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  private static int waitFor(Child child, Duration timeout) {
    try {
      if (!child.process().waitFor(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        child.process().destroyForcibly();
        throw new AssertionError(
            child.label() + " did not finish within " + timeout + "\n" + child.describe());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.process().destroyForcibly();
      throw new IllegalStateException("interrupted while waiting for " + child.label(), e);
    }
    return child.process().exitValue();
  }

  /**
   * SIGTERM (a worker leaves the cluster cleanly), then SIGKILL after 15 s; netns.sh destroy kills
   * what is left.
   */
  private static void stop(Child child) {
    CrewLaunchers.terminate(child.process(), Duration.ofSeconds(15));
  }

  /** Runs a short command to completion, stdout and stderr together. */
  private static Result run(Duration timeout, String... command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      byte[][] out = new byte[1][];
      Thread reader =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    try {
                      out[0] = p.getInputStream().readAllBytes();
                    } catch (IOException e) {
                      out[0] = ("<" + e + ">").getBytes(StandardCharsets.UTF_8);
                    }
                  });
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, String.join(" ", command) + ": timed out after " + timeout);
      }
      reader.join(5_000);
      return new Result(
          p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, String.join(" ", command) + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, String.join(" ", command) + ": interrupted");
    }
  }

  private Child startWorker(int host, String join) {
    return start(
        "worker-" + host,
        inNamespace(
            host,
            home.resolve("bin/worker").toString(),
            "--cluster",
            cluster,
            "--join",
            join,
            "--bind",
            ip(host),
            "--lease-timeout",
            LEASE_TIMEOUT,
            "--heartbeat",
            "500ms",
            "--drain-timeout",
            "5s"));
  }

  /**
   * Waits for the worker's "joined cluster" line, which must report between {@code min} and {@code
   * max} members.
   */
  private String awaitJoined(Child worker, int min, int max) {
    String[] name = new String[1];
    await(worker.label() + " joining cluster " + cluster)
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Matcher m = JOINED.matcher(read(worker.err()));
              if (m.find()) {
                int members = Integer.parseInt(m.group(3));
                if (!m.group(2).equals(cluster) || members < min || members > max) {
                  throw new AssertionError(
                      "expected the worker to join '"
                          + cluster
                          + "' with "
                          + min
                          + ".."
                          + max
                          + " members\n"
                          + worker.describe());
                }
                name[0] = m.group(1);
                return true;
              }
              if (!worker.process().isAlive()) {
                throw new AssertionError(
                    "the worker exited (code "
                        + worker.process().exitValue()
                        + ") before joining\n"
                        + worker.describe());
              }
              return false;
            });
    return name[0];
  }

  /**
   * The cluster size a worker last reported. Membership events ("member X joined; the cluster has N
   * members") come in order and override the "joined cluster: N members" line, which can be logged
   * after the first event with an older count (seen: "the cluster has 3 members" at .521, then
   * "joined cluster ...: 2 members" at .524).
   */
  private static int lastMemberCount(Child worker) {
    Matcher m = MEMBERS.matcher(read(worker.err()));
    int joined = -1;
    int event = -1;
    while (m.find()) {
      if (m.group(1) != null) {
        joined = Integer.parseInt(m.group(1));
      } else {
        event = Integer.parseInt(m.group(2));
      }
    }
    return event >= 0 ? event : joined;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Small helpers

  private void note(String format, Object... args) {
    String text = String.format(format, args);
    String line = "PartitionIT [" + LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + "] " + text;
    System.out.println(line);
    synchronized (report) {
      report.append(line).append('\n');
    }
  }

  private void writeReport() {
    if (logDir == null) {
      return;
    }
    try {
      synchronized (report) {
        Files.writeString(logDir.resolve("report.txt"), report);
      }
    } catch (IOException e) {
      System.err.println("PartitionIT: cannot write the report: " + e);
    }
  }

  private static String randomId(int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < length; i++) {
      id.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return id.toString();
  }

  private static long ms(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  private static long count(Pattern pattern, String text) {
    return pattern.matcher(text).results().count();
  }

  private static String firstLine(String text) {
    return text.strip().lines().findFirst().orElse("(nothing)");
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> readLines(Path file) {
    return read(file).lines().toList();
  }

  private static String tail(Path file, int n) {
    List<String> lines = readLines(file);
    int from = Math.max(0, lines.size() - n);
    return (from > 0 ? "  [... " + from + " earlier lines]\n" : "")
        + String.join("\n", lines.subList(from, lines.size()).stream().map(l -> "  " + l).toList());
  }
}
