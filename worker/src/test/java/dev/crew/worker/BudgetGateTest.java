package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Admission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BudgetGateTest {
  private static final Duration REFRESH = Duration.ofMillis(250);

  private final AtomicLong nanos = new AtomicLong();
  private final AtomicReference<Admission> cluster =
      new AtomicReference<>(new Admission.Open(1000));
  private final List<String> asked = new ArrayList<>();
  private final BudgetGate gate =
      new BudgetGate(
          jobId -> {
            asked.add(jobId);
            return cluster.get();
          },
          nanos::get,
          REFRESH);

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
}
