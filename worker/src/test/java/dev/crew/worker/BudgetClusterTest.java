package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.ResultBudget;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.JobTally;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real worker in this JVM: a job past its result budget waits, and goes on once read. */
@ExtendWith(QuickJoin.class)
class BudgetClusterTest {
  private static final int TASKS = 100;
  private static final int ITEMS_PER_TASK = 100;

  private final String cluster = "test-" + UUID.randomUUID();
  private Worker worker;

  @BeforeAll
  static void quickPolls() {
    Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
    Awaitility.setDefaultPollDelay(Duration.ZERO);
  }

  @BeforeEach
  void startWorker() {
    worker =
        Worker.start(
            new Worker.Settings(
                new ClusterConfigs.Membership(cluster, List.of(), false, "127.0.0.1", 5851, false),
                2,
                50,
                1,
                Duration.ofSeconds(5)),
            TaskCatalog.builtIn());
  }

  @AfterEach
  void closeWorker() {
    worker.close();
  }

  @Test
  void worker_jobPastItsBudget_isNotTaken_untilItsResultsAreRead() throws InterruptedException {
    HazelcastInstance member = worker.hazelcast();
    Submitter submitter = new Submitter(member);
    long oneResult = noopResult(0).heldBytes();
    // Room for about twenty tasks' results.
    long budget = 20 * oneResult;
    member.getMap(Names.BUDGETS).set("big", new ResultBudget("big", budget, false));
    List<TaskChunk> tasks = new ArrayList<>();
    for (int seq = 0; seq < TASKS; seq++) {
      tasks.add(TaskChunk.ofRange("big", seq, (long) seq * ITEMS_PER_TASK, 1, ITEMS_PER_TASK));
    }
    submitter.submit("noop", Lane.CPU, tasks);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> submitter.tally("big").unreadBytes() >= budget);
    long pausedAt = submitter.tally("big").recorded();
    // Past the budget by at most what the two cpu slots had running when it was reached.
    assertThat(submitter.tally("big").unreadBytes()).isBetween(budget, budget + 3 * oneResult);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () ->
                assertThat(submitter.tally("big").recorded())
                    .as("results recorded while the job is past its budget, none read")
                    .isEqualTo(pausedAt));
    assertThat(pausedAt).isLessThan(TASKS);

    // Reading the results (what coordinator results does) frees the budget: every task runs.
    Map<String, TaskResult> read = submitter.readAll("big", TASKS, Duration.ofSeconds(60));
    JobTally after = submitter.tally("big");
    assertThat(after.states()).isEqualTo(new JobTally(0, 0, 0, TASKS));
    assertThat(after.unreadBytes()).isZero();
    assertThat(read.values()).allSatisfy(r -> assertThat(r.ok()).isEqualTo(ITEMS_PER_TASK));
  }

  private static TaskResult noopResult(long seq) {
    String[] values = new String[ITEMS_PER_TASK];
    for (int i = 0; i < values.length; i++) {
      values[i] = Long.toString(1 + seq * ITEMS_PER_TASK + i);
    }
    return TaskResult.of(
        TaskChunk.ofRange("big", seq, seq * ITEMS_PER_TASK, 1, ITEMS_PER_TASK),
        "w",
        0,
        values,
        new String[ITEMS_PER_TASK]);
  }
}
