package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Admission;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Job;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.ResultBudget;
import dev.crew.common.ResultHoldings;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.HashMap;
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
  void worker_jobPastItsBudget_isNotTaken_untilItsResultsAreRead() {
    HazelcastInstance member = worker.hazelcast();
    IMap<String, TaskResult> results = member.getMap(Names.RESULTS);
    long oneResult = noopResult(0).heldBytes();
    // Room for about twenty tasks' results.
    long budget = 20 * oneResult;
    member.getMap(Names.BUDGETS).set("big", new ResultBudget("big", budget, false));
    member
        .<String, Job>getMap(Names.JOBS)
        .set(
            "big",
            Job.submitting("big", "noop", Lane.CPU, Params.NONE, System.currentTimeMillis())
                .queued((long) TASKS * ITEMS_PER_TASK, TASKS));
    for (int seq = 0; seq < TASKS; seq++) {
      TaskChunk chunk =
          TaskChunk.ofRange("big", seq, (long) seq * ITEMS_PER_TASK, 1, ITEMS_PER_TASK);
      member.getMap(Names.TASKS).set(chunk.taskId(), chunk);
      assertThat(member.<String>getQueue(Lane.CPU.queueName()).offer(chunk.taskId())).isTrue();
    }

    ResultHoldings holdings = new ResultHoldings(member);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> holdings.admission("big") instanceof Admission.Paused);
    int pausedAt = results.size();
    // Past the budget by at most what the two cpu slots had running when it was reached.
    assertThat(holdings.held("big")).isBetween(budget, budget + 3 * oneResult);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> results.size() == pausedAt);
    assertThat(pausedAt).isLessThan(TASKS);

    // Reading the results (what coordinator results does) frees the budget: every task runs.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              readAll(results);
              return results.size() == TASKS;
            });
    readAll(results);
    assertThat(holdings.held("big")).isZero();
    assertThat(holdings.admission("big")).isInstanceOf(Admission.Open.class);
    assertThat(results.values()).allSatisfy(r -> assertThat(r.ok()).isEqualTo(ITEMS_PER_TASK));
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

  private static void readAll(IMap<String, TaskResult> results) {
    Map<String, TaskResult> read = new HashMap<>();
    for (TaskResult result : results.values()) {
      if (!result.consumed()) {
        read.put(result.taskId(), result.asConsumed());
      }
    }
    results.setAll(read);
  }
}
