package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import dev.crew.common.ledger.InMemoryTaskLedger;
import dev.crew.common.ledger.LedgerLayout;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ResultHoldings} against a real member's budgets map, with values that are not budgets. */
class ResultHoldingsClusterTest {
  private HazelcastInstance member;
  private ResultHoldings holdings;

  @BeforeEach
  void startMember() {
    member = IsolatedMember.start("holdings");
    holdings =
        new ResultHoldings(
            member, new InMemoryTaskLedger(LedgerLayout.DEFAULT, Duration.ofSeconds(15), () -> 0L));
  }

  @AfterEach
  void stopMember() {
    member.getLifecycleService().terminate();
  }

  @Test
  void budgetOf_aStoredBudget_isRead() {
    ResultBudget stored = new ResultBudget("job-1", 4_096, false);
    member.<String, ResultBudget>getMap(Names.BUDGETS).set("job-1", stored);

    assertThat(holdings.budgetOf("job-1")).isEqualTo(stored);
  }

  @Test
  void budgetOf_aValueThatIsNotABudget_readsAsTheDefault() {
    member.<String, Object>getMap(Names.BUDGETS).set("job-1", "not a budget");
    member
        .<String, Object>getMap(Names.BUDGETS)
        .set("job-2", GenericRecordBuilder.compact("evil.Type").setInt64("limitBytes", 1).build());

    assertThat(holdings.budgetOf("job-1")).isEqualTo(ResultBudget.byDefault("job-1"));
    assertThat(holdings.budgetOf("job-2")).isEqualTo(ResultBudget.byDefault("job-2"));
  }
}
