package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdmissionTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void admission_jobAtItsBudgetPauses() {
    Admission admission = Admission.of(16 * MIB, 16 * MIB, 16 * MIB, 64 * MIB, 1);
    assertThat(admission).isEqualTo(new Admission.Paused(16 * MIB, 16 * MIB, false));
    assertThat(((Admission.Paused) admission).describe("noop-1"))
        .isEqualTo(
            "paused: 16.0 MiB of unread results (its budget is 16.0 MiB); read them with:"
                + " coordinator results noop-1");
  }

  @Test
  void admission_underBudget_isOpenWithTheSmallerHeadroom() {
    assertThat(Admission.of(10 * MIB, 16 * MIB, 10 * MIB, 64 * MIB, 1))
        .isEqualTo(new Admission.Open(6 * MIB));
    assertThat(Admission.of(10 * MIB, 16 * MIB, 60 * MIB, 64 * MIB, 3))
        .isEqualTo(new Admission.Open(4 * MIB));
  }

  @Test
  void admission_clusterFull_pausesJobsHoldingTheirFairShare_notOneReadAsItRuns() {
    // Four jobs hold 64 MiB together, the cluster's limit; one of them 40 MiB, one 1 MiB.
    Admission big = Admission.of(40 * MIB, 48 * MIB, 64 * MIB, 64 * MIB, 4);
    Admission small = Admission.of(1 * MIB, 48 * MIB, 64 * MIB, 64 * MIB, 4);
    assertThat(big).isEqualTo(new Admission.Paused(40 * MIB, 64 * MIB, true));
    assertThat(((Admission.Paused) big).describe("a"))
        .startsWith("paused: the workers hold their limit of 64.0 MiB of unread results");
    assertThat(small).isEqualTo(new Admission.Open(0));
  }

  @Test
  void admission_withoutLimits_isOpen() {
    assertThat(Admission.of(1L << 40, 0, 1L << 40, 0, 1)).isEqualTo(Admission.OPEN);
  }

  @Test
  void open_negativeHeadroom_isRefused() {
    assertThatThrownBy(() -> new Admission.Open(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resultBudget_defaultIsHalfTheCluster_andAChosenOneNeverMore() {
    assertThat(ResultBudget.byDefault("j").effectiveLimit(64 * MIB)).isEqualTo(32 * MIB);
    assertThat(new ResultBudget("j", 8 * MIB, false).effectiveLimit(64 * MIB)).isEqualTo(8 * MIB);
    assertThat(new ResultBudget("j", 1024 * MIB, false).effectiveLimit(64 * MIB))
        .isEqualTo(64 * MIB);
    assertThat(new ResultBudget("j", 8 * MIB, false).effectiveLimit(0)).isEqualTo(8 * MIB);
  }

  @Test
  void resultBudget_keepsHalfItsLimit_onlyWhenAsked() {
    assertThat(new ResultBudget("j", 8 * MIB, true).keepLimit(64 * MIB)).isEqualTo(4 * MIB);
    assertThat(new ResultBudget("j", 8 * MIB, false).keepLimit(64 * MIB)).isZero();
    assertThat(new ResultBudget("j", 0, true).keepLimit(0)).isZero();
  }

  @Test
  void share_isAQuarterOfTheHeap_overTheCopiesKept() {
    assertThat(ResultHoldings.share(256 * MIB, 1)).isEqualTo(32 * MIB);
    assertThat(ResultHoldings.share(256 * MIB, 0)).isEqualTo(64 * MIB);
  }

  @Test
  void heldBytes_growWithTheText_andAreZeroOnceConsumed() {
    TaskChunk chunk = TaskChunk.ofRange("j", 0, 0, 1, 3);
    TaskResult small = TaskResult.of(chunk, "w", 0, new String[] {"1", "2", "3"}, new String[3]);
    TaskResult large =
        TaskResult.of(chunk, "w", 0, new String[] {"x".repeat(1000), "2", "3"}, new String[3]);
    assertThat(large.heldBytes() - small.heldBytes()).isEqualTo(999);
    assertThat(small.asConsumed().heldBytes()).isZero();
  }

  @Test
  void byteSizes_parseBinaryUnits_andRefuseOthers() {
    assertThat(ByteSizes.parse("64MiB", "--x")).isEqualTo(64 * MIB);
    assertThat(ByteSizes.parse("512k", "--x")).isEqualTo(512 * 1024);
    assertThat(ByteSizes.parse("2G", "--x")).isEqualTo(2048 * MIB);
    assertThat(ByteSizes.parse("1000", "--x")).isEqualTo(1000);
    assertThatThrownBy(() -> ByteSizes.parse("lots", "--result-budget"))
        .hasMessage("--result-budget 'lots' is not a size (e.g. 512KiB, 64MiB, 2GiB)");
  }
}
