package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A worker killed while it holds part of a block, with real processes, ten times: two workers share
 * one-item tasks of 20 ms, so every block of the ledger (64 tasks) is claimed a few tasks at a time
 * by both and recorded in batches; the victim is killed with SIGKILL once the coordinator has
 * printed some of its results, so it dies holding claims in a block that is partly recorded, partly
 * queued, and perhaps with a batch of results on the wire. The survivor must put the victim's
 * claims back, and the coordinator must print every item exactly once: nothing lost, nothing
 * doubled.
 *
 * <p>The kill follows a batch of the victim's results, so now and then it lands when the victim
 * holds no claim: just after it polled a block's key and before it claimed anything there (the
 * survivor's audit then offers the key again), or, it seems, after all its claims were recorded and
 * before its next claim landed (CI saw a round with neither put back nor offered again once, on
 * 9000b7c, and every item still ended once). Every round must end with every item once, which no
 * lost claim would allow; the victim's claims must have been put back in most rounds, or the test
 * did not kill claim holders.
 */
@Tag("faults")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BlockKillIT {
  private static final int ROUNDS = 10;
  private static final int ITEMS = 600;
  private static final int ITEM_MS = 20;

  /** Results of the victim printed before the kill: it is well into the job's blocks. */
  private static final int VICTIM_RESULTS_BEFORE_KILL = 40;

  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern PUT_BACK =
      Pattern.compile(
          "WARN +LeaseReaper - worker (\\S+) left the cluster: put (\\d+) of its tasks back");
  private static final Pattern OFFERED_AGAIN =
      Pattern.compile(
          "WARN +HazelcastTaskLedger - (\\d+) blocks had queued tasks but were in no lane shard");
  private static final Pattern RESULT_WORKER = Pattern.compile("\"worker\": ?\"([^\"]+)\"");

  private CrewLaunchers crew;

  @AfterAll
  void stop() {
    if (crew != null) {
      crew.close();
    }
  }

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void killAWorkerHoldingHalfABlock_nothingLostNothingDoubled() throws IOException {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    int base = CrewLaunchers.freePortBase(2 * ROUNDS);
    Path input =
        Files.write(
            crew.logDir().resolve("sleep-" + ITEMS + "x" + ITEM_MS + ".txt"),
            Collections.nCopies(ITEMS, Integer.toString(ITEM_MS)));
    List<String> figures = new ArrayList<>();
    int roundsPutBack = 0;
    for (int round = 1; round <= ROUNDS; round++) {
      String cluster = CrewLaunchers.randomClusterName();
      int port = base + 2 * (round - 1);
      List<String> join = List.of("127.0.0.1:" + port, "127.0.0.1:" + (port + 1));
      CrewLaunchers.Worker survivor =
          crew.startWorker(cluster, port, join, 1, List.of("--cpu-threads", "2"));
      CrewLaunchers.Worker victim =
          crew.startWorker(cluster, port + 1, join, 2, List.of("--cpu-threads", "2"));
      String context = "round " + round + ": kill " + victim.name();
      CrewLaunchers.Child coordinator =
          crew.startCoordinator(
              "r" + round,
              "submit",
              "sleep",
              "--input",
              input.toString(),
              "--chunk",
              "1",
              "--lane",
              "cpu",
              "--connect",
              survivor.name(),
              "--cluster",
              cluster);
      await(context + ": the victim's results printed")
          .atMost(JOB_TIMEOUT)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> resultsOf(coordinator.stdout(), victim.name()) >= VICTIM_RESULTS_BEFORE_KILL);
      int printedAtKill = coordinator.stdout().split("\n", -1).length - 1;
      assertThat(victim.child().process().toHandle().destroyForcibly()).isTrue();
      try {
        assertThat(victim.child().process().waitFor(10, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      CrewLaunchers.Run run = crew.awaitCoordinator(coordinator, JOB_TIMEOUT);
      String logs = context + "\n" + run.describe() + "\n" + survivor.describe();
      int putBack = putBackOf(survivor.child().stderr(), victim.name());
      int offeredAgain = offeredAgainOf(survivor.child().stderr());
      if (putBack > 0) {
        roundsPutBack++;
      }
      figures.add(
          String.format(
              "round %d: killed at %d of %d lines, %d put back, %d blocks offered again",
              round, printedAtKill, ITEMS, putBack, offeredAgain));
      System.out.printf("BlockKillIT: %s%n", figures.getLast());

      assertThat(printedAtKill).as(() -> "killed before the job's end\n" + logs).isLessThan(ITEMS);
      assertThat(run.exitCode()).as(() -> "exit code\n" + logs).isZero();
      JobOutput.assertEveryItemOnceOk(run, ITEMS, logs);
      crew.stop(survivor.child());
    }
    System.out.printf("BlockKillIT: %s%n", String.join("; ", figures));
    assertThat(roundsPutBack)
        .as(() -> "rounds whose victim's claims were put back: " + String.join("; ", figures))
        .isGreaterThanOrEqualTo(ROUNDS / 2);
  }

  private static int resultsOf(String stdout, String worker) {
    int count = 0;
    Matcher m = RESULT_WORKER.matcher(stdout);
    while (m.find()) {
      if (m.group(1).equals(worker)) {
        count++;
      }
    }
    return count;
  }

  private static int putBackOf(String log, String victim) {
    int total = 0;
    Matcher m = PUT_BACK.matcher(log);
    while (m.find()) {
      if (m.group(1).equals(victim)) {
        total += Integer.parseInt(m.group(2));
      }
    }
    return total;
  }

  private static int offeredAgainOf(String log) {
    int total = 0;
    Matcher m = OFFERED_AGAIN.matcher(log);
    while (m.find()) {
      total += Integer.parseInt(m.group(1));
    }
    return total;
  }
}
