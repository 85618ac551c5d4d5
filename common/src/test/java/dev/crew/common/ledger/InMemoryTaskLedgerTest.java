package dev.crew.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Lane;
import dev.crew.common.ledger.TaskState.Consumed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemoryTaskLedgerTest extends TaskLedgerContract {
  private InMemoryTaskLedger ledger;

  @BeforeEach
  void newLedger() {
    ledger = new InMemoryTaskLedger(LAYOUT, CLAIM_TIMEOUT, clock);
  }

  @Override
  TaskLedger ledger() {
    return ledger;
  }

  @Override
  boolean loseKey(Lane lane) {
    return ledger.loseKey(lane);
  }

  @Test
  void consume_leavesBlocksOfCountsOnly() throws Exception {
    ledger.store(Lane.CPU, tasks("job-a", 0, 20));
    ledger.record(resultsOf(claimAll(ANN, 20), ANN));
    consumeAll("job-a", 20);

    assertThat(ledger.blocks("job-a")).isEqualTo(3);
    assertThat(ledger.tally("job-a").states()).isEqualTo(new JobTally(0, 0, 0, 20));
    assertThat(
            new TaskBlock("job-a", Lane.CPU, 0, java.util.List.of(new Consumed(1, 0, 1, 7)))
                .consumed())
        .isTrue();
  }
}
