package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.Claimant;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.LedgerLayout;
import dev.crew.common.ledger.TaskLedger;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link JobRun} against the task ledger of a real member in this JVM, through a client, with a
 * fake worker that claims and records through the ledger: results are handed on once across a
 * submitter that dies between its output and its settle, and archived before they are settled.
 */
@Timeout(60)
class JobRunLedgerTest {
  private static final int ITEMS = 200;
  private static final int CHUNK = 2;
  private static final int TASKS = ITEMS / CHUNK;

  /** Results the fake worker records per flush of the handler: many small batches. */
  private static final int PER_FLUSH = 6;

  private final String cluster = "jobrun-" + UUID.randomUUID();
  private final List<HazelcastInstance> instances = new ArrayList<>();
  private HazelcastInstance member;
  private HazelcastInstance client;
  private FakeWorker worker;

  @BeforeEach
  void start() {
    Config config =
        ClusterConfigs.member(
            new ClusterConfigs.Membership(
                cluster, List.of(), false, "127.0.0.1", 5_881, /* isolated= */ false),
            Map.of(),
            0);
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    member = Hazelcast.newHazelcastInstance(config);
    instances.add(member);
    InetSocketAddress address = (InetSocketAddress) member.getLocalEndpoint().getSocketAddress();
    client =
        HazelcastClient.newHazelcastClient(
            ClusterConfigs.client(
                cluster, List.of("127.0.0.1:" + address.getPort()), Duration.ofSeconds(30)));
    instances.add(client);
    worker = new FakeWorker(member);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (worker != null) {
      worker.close();
    }
    for (HazelcastInstance instance : instances.reversed()) {
      instance.getLifecycleService().terminate();
    }
  }

  @Test
  void run_killedBetweenOutputAndSettle_resumedRunHandsOnTheUnsettledBatchAgainAndNothingElse()
      throws Exception {
    Job job = newJob("crash-flush");
    Recorder first = new Recorder(worker.gate, /* crashAtFlush= */ 3);

    assertThatThrownBy(() -> run(job, first, submitterLedger()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("killed");

    List<Long> crashed = first.batches.getLast();
    assertThat(crashed).as("the batch written out when the submitter died").isNotEmpty();
    assertThat(first.batches).hasSize(3);
    IMap<String, TaskResult> archive = client.getMap(Names.RESULTS);
    Set<Long> archivedItems = itemsOf(archive.values());
    assertThat(archivedItems)
        .as("nothing of the unsettled batch was archived")
        .doesNotContainAnyElementsOf(crashed);
    assertThat(submitterLedger().tally(job.id()).recorded())
        .as("the unsettled batch is still recorded, unread, in the ledger")
        .isGreaterThanOrEqualTo(crashed.size() / CHUNK);

    long storedBefore = submitterLedger().tally(job.id()).stored();
    assertThat(storedBefore).as("the killed run had not stored every task").isLessThan(TASKS);
    worker.gate.release(10 * TASKS);
    Recorder second = new Recorder(worker.gate, /* crashAtFlush= */ -1);
    // The resumed run stores its first tasks before it reads the ledger: it must still find the
    // killed run's results.
    second.beforeFirst =
        () ->
            await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> submitterLedger().tally(job.id()).stored() > storedBefore);
    Outcome outcome = run(job, second, submitterLedger());

    assertThat(outcome.ok()).isEqualTo(ITEMS);
    assertThat(outcome.tasks()).isEqualTo(TASKS);
    assertThat(second.items)
        .as("every item at most once in the resumed run")
        .doesNotHaveDuplicates();
    assertThat(second.items).as("the unsettled batch, again").containsAll(crashed);
    Set<Long> settledBefore = new HashSet<>(first.items);
    crashed.forEach(settledBefore::remove);
    assertThat(second.items)
        .as("nothing handed on and settled before")
        .doesNotContainAnyElementsOf(settledBefore);
    Set<Long> all = new HashSet<>(first.items);
    all.addAll(second.items);
    assertThat(all).containsExactlyInAnyOrderElementsOf(allItems());
    assertDone(job);
  }

  @Test
  void run_killedInItsSettle_resumedRunShowsThatBatchAgainAndNothingElseTwice() throws Exception {
    Job job = newJob("crash-settle");
    AtomicInteger settles = new AtomicInteger();
    TaskLedger dying =
        beforeSettle(
            submitterLedger(),
            (jobId, delivered) -> {
              if (settles.incrementAndGet() == 3) {
                throw new IllegalStateException("killed after its output, in its settle");
              }
            });
    Recorder first = new Recorder(worker.gate, -1);

    assertThatThrownBy(() -> run(job, first, dying)).hasMessageContaining("killed after");

    List<Long> unsettled = first.batches.getLast();
    worker.gate.release(10 * TASKS);
    Recorder second = new Recorder(worker.gate, -1);
    Outcome outcome = run(job, second, submitterLedger());

    assertThat(outcome.ok()).isEqualTo(ITEMS);
    assertThat(second.items).doesNotHaveDuplicates().containsAll(unsettled);
    List<Long> twice = new ArrayList<>(first.items);
    twice.retainAll(second.items);
    assertThat(twice).as("shown by both runs").containsExactlyInAnyOrderElementsOf(unsettled);
    Set<Long> all = new HashSet<>(first.items);
    all.addAll(second.items);
    assertThat(all).containsExactlyInAnyOrderElementsOf(allItems());
    assertDone(job);
  }

  @Test
  void run_keepResults_archivesEveryResultBeforeItIsSettled() throws Exception {
    Job job = newJob("order");
    IMap<String, TaskResult> archive = member.getMap(Names.RESULTS);
    List<String> notArchived = new ArrayList<>();
    AtomicInteger settled = new AtomicInteger();
    TaskLedger checked =
        beforeSettle(
            submitterLedger(),
            (jobId, delivered) -> {
              for (TaskResult result : delivered) {
                settled.incrementAndGet();
                if (!archive.containsKey(result.taskId())) {
                  notArchived.add(result.taskId());
                }
              }
            });
    worker.gate.release(10 * TASKS);

    Outcome outcome =
        run(job, new Recorder(worker.gate, -1), checked, new JobRun.Options(false, true));

    assertThat(outcome.ok()).isEqualTo(ITEMS);
    assertThat(settled.get()).isEqualTo(TASKS);
    assertThat(notArchived).as("results settled before their archive copy was written").isEmpty();
    assertThat(archive.values()).hasSize(TASKS).noneMatch(TaskResult::consumed);
  }

  @Test
  void run_keepResults_archivesWholeResultsAndAResubmissionShowsThemAgain() throws Exception {
    Job job = newJob("kept");
    worker.gate.release(10 * TASKS);
    Recorder first = new Recorder(worker.gate, -1);
    run(job, first, submitterLedger(), new JobRun.Options(false, true));

    IMap<String, TaskResult> archive = client.getMap(Names.RESULTS);
    assertThat(archive.values()).hasSize(TASKS).noneMatch(TaskResult::consumed);
    Recorder again = new Recorder(worker.gate, -1);
    Outcome outcome = run(job, again, submitterLedger(), new JobRun.Options(false, true));

    assertThat(outcome.ok()).isEqualTo(ITEMS);
    assertThat(again.items).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(allItems());
  }

  @Test
  void detachedRun_moreTasksThanItsWindow_storesThemAllAndSettlesNothing() throws Exception {
    Job job = newJob("detached");
    worker.gate.release(10 * TASKS);
    TaskLedger ledger = submitterLedger();
    int tasks = 300; // more than the smallest task window (64 tasks)
    Outcome outcome =
        new JobRun(client, ledger)
            .run(
                job,
                new RangeSource(1, tasks),
                ChunkPlanner.fixed(1),
                result -> {
                  throw new AssertionError("a detached run hands nothing on");
                },
                Progress.NONE,
                new JobRun.Options(true, false, 1, null));

    assertThat(outcome.tasks()).isEqualTo(tasks);
    JobTally tally = ledger.tally(job.id());
    assertThat(tally.stored()).isEqualTo(tasks);
    assertThat(tally.consumed()).as("nobody read them: nothing settled").isZero();
    assertThat(client.<String, TaskResult>getMap(Names.RESULTS).isEmpty()).isTrue();
  }

  @Test
  void takeUnread_movesRecordedResultsToTheArchiveAndLeavesArchivedOnesAlone() throws Exception {
    TaskLedger ledger = submitterLedger();
    List<TaskChunk> tasks = new ArrayList<>();
    for (int seq = 0; seq < 70; seq++) {
      tasks.add(TaskChunk.ofRange("unread", seq, seq, seq + 1, 1));
    }
    ledger.store(Lane.CPU, tasks);
    List<TaskResult> recorded = tasks.stream().map(FakeWorker::resultOf).toList();
    ledger.record(recorded);
    IMap<String, TaskResult> archive = client.getMap(Names.RESULTS);
    TaskResult handedOn = recorded.getFirst().asConsumed();
    archive.set(handedOn.taskId(), handedOn);

    long moved = new ResultArchive(client, submitterLedger()).takeUnread("unread");

    assertThat(moved).isEqualTo(70);
    assertThat(ledger.tally("unread").recorded()).isZero();
    assertThat(archive.size()).isEqualTo(70);
    assertThat(archive.get(handedOn.taskId()).consumed()).as("kept as it was").isTrue();
    assertThat(archive.get(recorded.getLast().taskId()))
        .as("whole and unread, as recorded")
        .satisfies(r -> assertThat(r.consumed()).isFalse())
        .satisfies(r -> assertThat(r.values()).containsExactly("70"));
  }

  /**
   * An idle run looks for the results it awaits in the archive (another reader may have moved them
   * there). Values that are not results, put at every task id of the job by someone else, are
   * passed over there: the run goes on and hands on every item once the worker records them.
   */
  @Test
  void run_idleWithValuesThatAreNotResultsAtItsTaskIds_passesThemOverAndEnds() throws Exception {
    Job job = newJob("planted");
    IMap<String, Object> archive = member.getMap(Names.RESULTS);
    // A Compact record of a type Crew does not know (the map's index on the job id refuses a
    // value without one, such as a text).
    GenericRecord planted =
        GenericRecordBuilder.compact("evil.Type").setString("jobId", job.id()).build();
    for (long seq = 0; seq < TASKS; seq++) {
      archive.set(Names.taskId(job.id(), seq), planted);
    }
    List<Long> handedOn = Collections.synchronizedList(new ArrayList<>());
    ResultHandler handler =
        result -> {
          for (int i = 0; i < result.count(); i++) {
            handedOn.add(result.firstIndex() + i);
          }
        };
    long readsBefore = archive.getLocalMapStats().getGetOperationCount();
    CompletableFuture<Outcome> running =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return run(job, handler, submitterLedger());
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });

    // The worker records nothing yet: the run goes idle and reads the planted values (the only
    // reads of this map while nothing is recorded).
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> archive.getLocalMapStats().getGetOperationCount() > readsBefore);
    worker.gate.release(10 * TASKS);
    Outcome outcome = running.get(60, TimeUnit.SECONDS);

    assertThat(outcome.ok()).isEqualTo(ITEMS);
    assertThat(handedOn).containsExactlyInAnyOrderElementsOf(allItems());
  }

  /**
   * A resumed run reads the job's archived results by the job's id; a Compact record of someone
   * else's with that id (the archive's index takes it) is passed over, the genuine ones are read.
   */
  @Test
  void resume_passesOverARecordThatIsNotAResult_withTheJobsId() {
    String jobId = "resumed-" + UUID.randomUUID();
    IMap<String, Object> archive = client.getMap(Names.RESULTS);
    TaskResult kept = FakeWorker.resultOf(TaskChunk.ofRange(jobId, 0, 0, 1, CHUNK));
    archive.set(kept.taskId(), kept);
    archive.set(
        Names.taskId(jobId, 1),
        GenericRecordBuilder.compact("evil.Type").setString("jobId", jobId).build());

    Resume resume = Resume.find(submitterLedger(), client.getMap(Names.RESULTS), jobId);

    assertThat(resume.archived()).extracting(TaskResult::taskId).containsExactly(kept.taskId());
    assertThat(resume.nextSeq()).isEqualTo(1);
    assertThat(resume.nextIndex()).isEqualTo(CHUNK);
  }

  // --- the run and its checks ---

  private Job newJob(String name) {
    return Job.submitting(
        name + "-" + UUID.randomUUID(), "noop", Lane.CPU, Params.NONE, System.currentTimeMillis());
  }

  private Outcome run(Job job, ResultHandler handler, TaskLedger ledger) throws Exception {
    return run(job, handler, ledger, new JobRun.Options(false, false, 1, null));
  }

  private Outcome run(Job job, ResultHandler handler, TaskLedger ledger, JobRun.Options options)
      throws Exception {
    return new JobRun(client, ledger)
        .run(
            job,
            new RangeSource(1, ITEMS),
            ChunkPlanner.fixed(CHUNK),
            handler,
            Progress.NONE,
            options);
  }

  /**
   * The job is done, its ledger blocks keep every task's counts and items, and the archive keeps
   * nothing: no item failed and none was to be kept.
   */
  private void assertDone(Job job) {
    assertThat(client.<String, Job>getMap(Names.JOBS).get(job.id()).state())
        .isEqualTo(JobState.DONE);
    JobTally tally = submitterLedger().tally(job.id());
    assertThat(tally.consumed()).isEqualTo(TASKS);
    assertThat(tally.itemsOk()).isEqualTo(ITEMS);
    assertThat(itemsOf(submitterLedger().delivered(job.id())))
        .containsExactlyInAnyOrderElementsOf(allItems());
    assertThat(client.<String, TaskResult>getMap(Names.RESULTS).isEmpty()).isTrue();
  }

  private TaskLedger submitterLedger() {
    return new HazelcastTaskLedger(
        client, LedgerLayout.DEFAULT, Duration.ofSeconds(15), System::currentTimeMillis);
  }

  private static List<Long> allItems() {
    return LongStream.range(0, ITEMS).boxed().toList();
  }

  private static Set<Long> itemsOf(Collection<TaskResult> results) {
    Set<Long> items = new HashSet<>();
    for (TaskResult result : results) {
      for (int i = 0; i < result.count(); i++) {
        items.add(result.firstIndex() + i);
      }
    }
    return items;
  }

  /** {@code ledger}, with {@code hook} called before each settle of results goes to it. */
  private static TaskLedger beforeSettle(
      TaskLedger ledger, BiConsumer<String, Collection<TaskResult>> hook) {
    return (TaskLedger)
        Proxy.newProxyInstance(
            TaskLedger.class.getClassLoader(),
            new Class<?>[] {TaskLedger.class},
            (proxy, method, args) -> {
              if (method.getName().equals("settle")
                  || method.getName().equals("settleThenPending")) {
                @SuppressWarnings("unchecked")
                Collection<TaskResult> delivered = (Collection<TaskResult>) args[1];
                if (!delivered.isEmpty()) {
                  hook.accept((String) args[0], delivered);
                }
              }
              try {
                return method.invoke(ledger, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /**
   * The output: the items of each flush, in order; optionally dies on one flush, after writing its
   * batch (the process was killed between its output and its settle). Each flush lets the fake
   * worker record a few more tasks, so results come in many small batches.
   */
  private static final class Recorder implements ResultHandler {
    final List<Long> items = new ArrayList<>();
    final List<List<Long>> batches = new ArrayList<>();
    private final List<Long> batch = new ArrayList<>();
    private final Semaphore gate;
    private final int crashAtFlush;

    /** Runs on the first result handed on or skipped. */
    Runnable beforeFirst = () -> {};

    /**
     * @param crashAtFlush the flush that fails, counting from 1; -1 for none
     */
    Recorder(Semaphore gate, int crashAtFlush) {
      this.gate = gate;
      this.crashAtFlush = crashAtFlush;
      gate.release(PER_FLUSH);
    }

    @Override
    public void skip(long seq) {
      first();
    }

    @Override
    public void accept(TaskResult result) {
      first();
      for (int i = 0; i < result.count(); i++) {
        batch.add(result.firstIndex() + i);
      }
    }

    private void first() {
      beforeFirst.run();
      beforeFirst = () -> {};
    }

    @Override
    public void flush() throws IOException {
      items.addAll(batch);
      batches.add(List.copyOf(batch));
      batch.clear();
      if (batches.size() == crashAtFlush) {
        throw new IOException("killed after writing its output");
      }
      gate.release(PER_FLUSH);
    }
  }

  /**
   * Claims tasks one at a time through the ledger and records their results, as the gate allows.
   */
  private static final class FakeWorker {
    final Semaphore gate = new Semaphore(0);
    private final Thread thread;
    private volatile boolean closed;

    FakeWorker(HazelcastInstance member) {
      TaskLedger ledger =
          new HazelcastTaskLedger(
              member, LedgerLayout.DEFAULT, Duration.ofSeconds(15), System::currentTimeMillis);
      Claimant claimant =
          new Claimant("fake", member.getCluster().getLocalMember().getUuid().toString());
      thread =
          Thread.ofPlatform()
              .name("fake-worker")
              .start(
                  () -> {
                    try {
                      while (!closed) {
                        List<TaskChunk> claimed =
                            ledger.claim(Lane.CPU, claimant, 1, Duration.ofMillis(50));
                        if (claimed.isEmpty()) {
                          // As a real worker does: offers blocks whose storer was stopped
                          // between storing them and offering their keys.
                          ledger.audit();
                        }
                        for (TaskChunk task : claimed) {
                          gate.acquire();
                          ledger.record(List.of(resultOf(task)));
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                      if (!closed) {
                        throw e;
                      }
                    }
                  });
    }

    /** Each item's value is its number in the range. */
    static TaskResult resultOf(TaskChunk task) {
      String[] values = new String[task.count()];
      for (int i = 0; i < task.count(); i++) {
        values[i] = Long.toString(task.rangeStart() + i);
      }
      // Tasks of a second each, as measured: the run keeps its smallest task window (64), so a
      // run killed early has not stored every task.
      return TaskResult.of(task, "fake", 1_000_000_000, values, new String[task.count()]);
    }

    void close() throws InterruptedException {
      closed = true;
      thread.interrupt();
      thread.join(Duration.ofSeconds(10));
    }
  }
}
