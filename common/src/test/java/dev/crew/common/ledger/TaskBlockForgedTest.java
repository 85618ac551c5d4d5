package dev.crew.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A forged result (one that did not open under the cluster secret) never counts as a result. */
class TaskBlockForgedTest {
  private static final Claimant ANN = new Claimant("ann", "uuid-ann");

  private final List<TaskChunk> tasks = TaskLedgerContract.tasks("j", 0, 2);
  private final TaskBlock block = TaskBlock.empty("j", Lane.CPU, 0).add(tasks).block();

  private static TaskResult forgedOf(TaskChunk task) {
    return TaskResult.forged(
        task.jobId(), task.seq(), task.firstIndex(), task.count(), "x", 0, 0, task.count(), false);
  }

  @Test
  void record_refusesAForgedResult_andTheRealOneIsStillFirst() {
    TaskBlock.Step<RecordOutcome> forged = block.record(List.of(forgedOf(tasks.get(0))));

    assertThat(forged.outcome().recorded()).isZero();
    assertThat(forged.changed()).isFalse();
    TaskBlock.Step<RecordOutcome> real =
        forged.block().record(List.of(TaskLedgerContract.resultOf(tasks.get(0), ANN)));
    assertThat(real.outcome().recorded()).isEqualTo(1);
    assertThat(real.block().pending(10)).extracting(TaskResult::forged).containsExactly(false);
  }

  @Test
  void aForgedResultFoundInASlot_isNeverPending_andARealOneReplacesIt() {
    // Planted by a direct write of the whole block, which bypasses record().
    List<TaskState> slots = new java.util.ArrayList<>(block.slots());
    slots.set(0, new TaskState.Recorded(forgedOf(tasks.get(0))));
    TaskBlock planted = new TaskBlock("j", Lane.CPU, 0, slots);

    assertThat(planted.pending(10)).isEmpty();
    TaskBlock.Step<RecordOutcome> real =
        planted.record(List.of(TaskLedgerContract.resultOf(tasks.get(0), ANN)));
    assertThat(real.outcome().recorded()).isEqualTo(1);
    assertThat(real.block().pending(10)).hasSize(1).allMatch(r -> !r.forged());
  }
}
