package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Admission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BudgetGateTest {
  private static final Duration REFRESH = Duration.ofMillis(250);

  private final AtomicLong nanos = new AtomicLong();
  private final AtomicReference<Admission> cluster =
      new AtomicReference<>(new Admission.Open(1000));
  private final List<String> asked = new ArrayList<>();
  private final Function<String, Admission> lookup =
      jobId -> {
        asked.add(jobId);
        return cluster.get();
      };
  private final BudgetGate gate = new BudgetGate(lookup, nanos::get, REFRESH);

  /** Questions to the cluster, run when a test says so. */
  private final List<Runnable> questions = new ArrayList<>();

  private final BudgetGate offPath = new BudgetGate(lookup, questions::add, nanos::get, REFRESH);

  @Test
  void budgetGate_asksTheClusterOncePerRefreshPerJob_whenItUsedItsShareOfTheHeadroom() {
    assertThat(gate.paused("a")).isFalse();
    assertThat(gate.paused("a")).isFalse();
    assertThat(gate.paused("b")).isFalse();
    gate.recorded("a", 1000 / 16);
    nanos.addAndGet(REFRESH.toNanos() - 1);
    assertThat(gate.paused("a")).isFalse();
    assertThat(asked).containsExactly("a", "b");
    nanos.addAndGet(1);
    gate.paused("a");
    gate.paused("b");
    assertThat(asked).as("b used none of its headroom").containsExactly("a", "b", "a");
  }

  @Test
  void budgetGate_firstHeadroomUsedUp_waitsForTheFirstAnswer_insteadOfPausing() throws Exception {
    CountDownLatch asking = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    Executor slowCluster =
        question ->
            Thread.ofPlatform()
                .start(
                    () -> {
                      asking.countDown();
                      try {
                        answer.await();
                      } catch (InterruptedException e) {
                        return;
                      }
                      question.run();
                    });
    cluster.set(new Admission.Open(1 << 20));
    BudgetGate waiting =
        new BudgetGate(lookup, slowCluster, nanos::get, REFRESH, Duration.ofMinutes(1));
    assertThat(waiting.paused("a")).isFalse();
    waiting.recorded("a", BudgetGate.FIRST_HEADROOM_BYTES);
    assertThat(asking.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Boolean> next = CompletableFuture.supplyAsync(() -> waiting.paused("a"));
    assertThat(next).as("waits for the answer").isNotCompleted();
    answer.countDown();

    assertThat(next.get(10, TimeUnit.SECONDS)).as("the answer's 1 MiB of headroom").isFalse();
  }

  @Test
  void budgetGate_firstAnswerLate_pausesAfterTheWait() {
    cluster.set(new Admission.Open(1 << 20));
    BudgetGate waiting =
        new BudgetGate(lookup, questions::add, nanos::get, REFRESH, Duration.ofMillis(20));
    assertThat(waiting.paused("a")).isFalse();
    waiting.recorded("a", BudgetGate.FIRST_HEADROOM_BYTES);

    assertThat(waiting.paused("a")).as("no answer within the wait").isTrue();
    questions.forEach(Runnable::run);
    assertThat(waiting.paused("a")).isFalse();
  }

  @Test
  void budgetGate_farFromItsBudget_asksOncePerStaleInterval() {
    gate.paused("a");
    gate.recorded("a", 1000 / 16 - 1);
    nanos.addAndGet(REFRESH.toNanos() * BudgetGate.STALE_REFRESHES - 1);
    gate.paused("a");
    assertThat(asked).containsExactly("a");
    nanos.addAndGet(1);
    gate.paused("a");
    assertThat(asked).containsExactly("a", "a");
  }

  @Test
  void budgetGate_pausesOnTheClustersAnswer_andResumesWhenResultsAreRead() {
    cluster.set(new Admission.Paused(2000, 1000, false));
    assertThat(gate.paused("a")).isTrue();
    cluster.set(new Admission.Open(1000)); // read meanwhile
    assertThat(gate.paused("a")).as("until the next refresh").isTrue();
    nanos.addAndGet(REFRESH.toNanos());
    assertThat(gate.paused("a")).isFalse();
  }

  @Test
  void budgetGate_resultsRecordedHereUseTheHeadroom_beforeTheNextRefresh() {
    assertThat(gate.paused("a")).isFalse();
    gate.recorded("a", 600);
    assertThat(gate.paused("a")).isFalse();
    gate.recorded("a", 400);
    assertThat(gate.paused("a")).as("1000 bytes recorded, 1000 of headroom").isTrue();
    assertThat(gate.paused("b")).as("another job's headroom is its own").isFalse();
    assertThat(asked).containsExactly("a", "b");
  }

  @Test
  void budgetGate_recordedAfterARefresh_countFromZero() {
    gate.paused("a");
    gate.recorded("a", 1000);
    nanos.addAndGet(REFRESH.toNanos());
    assertThat(gate.paused("a")).isFalse();
    assertThat(asked).containsExactly("a", "a");
  }

  private void answerAll() {
    List<Runnable> now = List.copyOf(questions);
    questions.clear();
    now.forEach(Runnable::run);
  }

  @Test
  void budgetGate_aJobSeenFirst_runsBeforeTheClusterAnswers_onTheFirstHeadroom() {
    assertThat(offPath.paused("a")).as("no wait for the cluster's scans").isFalse();
    assertThat(questions).hasSize(1);
    assertThat(asked).isEmpty();
    offPath.recorded("a", BudgetGate.FIRST_HEADROOM_BYTES - 1);
    assertThat(offPath.paused("a")).isFalse();
    offPath.recorded("a", 1);
    assertThat(offPath.paused("a")).as("the first headroom used up").isTrue();
    assertThat(questions).as("one question per job at a time").hasSize(1);
  }

  @Test
  void budgetGate_resultsRecordedWhileTheClusterIsAsked_countAgainstItsAnswer() {
    offPath.paused("a");
    offPath.recorded("a", 600);
    answerAll();
    assertThat(offPath.paused("a")).as("600 of 1000 used").isFalse();
    offPath.recorded("a", 400);
    assertThat(offPath.paused("a")).isTrue();
  }

  @Test
  void budgetGate_refreshesOffTheLanesPath_theLastAnswerHoldingMeanwhile() {
    cluster.set(new Admission.Paused(2000, 1000, false));
    offPath.paused("a");
    answerAll();
    assertThat(offPath.paused("a")).isTrue();
    cluster.set(new Admission.Open(1000)); // read meanwhile
    nanos.addAndGet(REFRESH.toNanos());
    assertThat(offPath.paused("a")).as("until the cluster answers").isTrue();
    assertThat(offPath.paused("a")).isTrue();
    assertThat(questions).hasSize(1);
    answerAll();
    assertThat(offPath.paused("a")).isFalse();
    assertThat(asked).containsExactly("a", "a");
  }

  @Test
  void budgetGate_aQuestionThatFails_leavesTheLastAnswer_andIsAskedAgain() {
    BudgetGate failing =
        new BudgetGate(
            jobId -> {
              asked.add(jobId);
              throw new IllegalStateException("no cluster");
            },
            questions::add,
            nanos::get,
            REFRESH);
    assertThat(failing.paused("a")).isFalse();
    answerAll();
    assertThat(asked).containsExactly("a");
    assertThat(failing.paused("a")).as("still the first headroom").isFalse();
    assertThat(questions).as("asked again").hasSize(1);
    failing.recorded("a", BudgetGate.FIRST_HEADROOM_BYTES);
    assertThat(failing.paused("a")).isTrue();
  }

  @Test
  void budgetGate_aJobForgottenWhileAsked_dropsTheAnswer() {
    offPath.paused("a");
    offPath.forget("a");
    answerAll();
    offPath.recorded("a", 10);
    assertThat(offPath.paused("a")).as("seen afresh").isFalse();
    assertThat(questions).hasSize(1);
  }
}
