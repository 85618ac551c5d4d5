package dev.crew.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a settling reader gets back: the tally's counts of tasks, none of its result figures. */
class TaskBlockCountsTest {
  private static final Claimant ANN = new Claimant("ann", "uuid-ann");

  @Test
  void counts_areTheTallysFourCounts_inEveryState() {
    List<TaskChunk> tasks = TaskLedgerContract.tasks("j", 0, 6);
    TaskBlock block = TaskBlock.empty("j", Lane.CPU, 0).add(tasks).block();
    // 6 queued -> claim 4 -> record 3 of them -> settle 1: 2 queued, 1 claimed, 2 recorded, 1
    // consumed.
    block = block.claim(ANN, 4, 1_000).block();
    block =
        block
            .record(
                tasks.subList(0, 3).stream().map(t -> TaskLedgerContract.resultOf(t, ANN)).toList())
            .block();
    block = block.settle(List.of(0L)).block();

    JobTally counts = block.counts();
    JobTally tally = block.tally();

    assertThat(counts).isEqualTo(new JobTally(2, 1, 2, 1));
    assertThat(List.of(counts.queued(), counts.claimed(), counts.recorded(), counts.consumed()))
        .containsExactly(tally.queued(), tally.claimed(), tally.recorded(), tally.consumed());
    assertThat(tally.unreadBytes()).isPositive();
    assertThat(counts.unreadBytes()).isZero();
    assertThat(counts.stored()).isEqualTo(6);
  }
}
