package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.ItemFunction;
import dev.crew.common.Params;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class ChunkRunTest {
  private final Fakes.CollectingSink sink = new Fakes.CollectingSink();
  private final AtomicLong clock = new AtomicLong(1_000);
  private final LongSupplier nanoTime = clock::get;

  private ChunkRun run(TaskChunk chunk, ItemFunction function) {
    return new ChunkRun(chunk, new Binding.Run(function), sink, "w1", nanoTime);
  }

  private TaskResult onlyResult() {
    assertThat(sink.results).hasSize(1);
    return sink.results.getFirst();
  }

  @Test
  void runAll_rangeChunkRendersNumbersAsJsonNumbers() throws InterruptedException {
    TaskChunk chunk = TaskChunk.ofRange("job", 3, 30, 5, 3);
    run(chunk, item -> Long.parseLong(item) * Long.parseLong(item)).runAll();

    TaskResult result = onlyResult();
    assertThat(result.values()).containsExactly("25", "36", "49");
    assertThat(result.errors()).containsExactly(null, null, null);
    assertThat(result.taskId()).isEqualTo("job/3");
    assertThat(result.firstIndex()).isEqualTo(30);
    assertThat(result.rangeStart()).isEqualTo(5);
    assertThat(result.isRange()).isTrue();
    assertThat(result.worker()).isEqualTo("w1");
    assertThat(result.ok()).isEqualTo(3);
    assertThat(result.failed()).isZero();
  }

  @Test
  void runAll_itemsChunkRendersStringsQuotedAndOtherValuesAsJson() throws InterruptedException {
    String[] items = {"plain", "say \"hi\"", "flag", "map", "none"};
    TaskChunk chunk = TaskChunk.ofItems("job", 0, 0, items);
    run(
            chunk,
            item ->
                switch (item) {
                  case "flag" -> true;
                  case "map" -> Map.of("n", 2);
                  case "none" -> null;
                  default -> item.toUpperCase();
                })
        .runAll();

    TaskResult result = onlyResult();
    assertThat(result.values())
        .containsExactly("\"PLAIN\"", "\"SAY \\\"HI\\\"\"", "true", "{\"n\":2}", "null");
    assertThat(result.items()).containsExactly(items);
    assertThat(result.ok()).isEqualTo(5);
  }

  @Test
  void runAll_builtInFibGivesItsNumbers() throws InterruptedException {
    ItemFunction fib = TaskCatalog.builtIn().find("fib").orElseThrow().bind(Params.NONE);
    run(TaskChunk.ofRange("job", 0, 0, 10, 3), fib).runAll();

    assertThat(onlyResult().values()).containsExactly("55", "89", "144");
  }

  @Test
  void runAll_refuseRecordsErrorAgainstEveryItem() throws InterruptedException {
    TaskChunk chunk = TaskChunk.ofItems("job", 1, 4, new String[] {"a", "b", "c"});
    new ChunkRun(chunk, new Binding.Refuse("worker w1 has no task named 'x'"), sink, "w1", nanoTime)
        .runAll();

    TaskResult result = onlyResult();
    assertThat(result.values()).containsOnlyNulls().hasSize(3);
    assertThat(result.errors()).containsOnly("worker w1 has no task named 'x'").hasSize(3);
    assertThat(result.ok()).isZero();
    assertThat(result.failed()).isEqualTo(3);
  }

  @Test
  void runAll_emptyChunkStillRecordsResult() throws InterruptedException {
    run(TaskChunk.ofItems("job", 7, 70, new String[0]), item -> item).runAll();

    TaskResult result = onlyResult();
    assertThat(result.taskId()).isEqualTo("job/7");
    assertThat(result.count()).isZero();
    assertThat(result.values()).isEmpty();
    assertThat(result.ok()).isZero();
    assertThat(result.failed()).isZero();
    assertThat(result.elapsedNanos()).isZero();
  }

  @Test
  void runAll_failingItemDoesNotStopTheOthers() throws InterruptedException {
    TaskChunk chunk = TaskChunk.ofItems("job", 0, 0, new String[] {"1", "x", "3"});
    run(chunk, item -> Long.parseLong(item)).runAll();

    TaskResult result = onlyResult();
    assertThat(result.values()).containsExactly("1", null, "3");
    // NumberFormatException is an IllegalArgumentException: its message alone.
    assertThat(result.errors()[1]).isEqualTo("For input string: \"x\"");
    assertThat(result.failed(1)).isTrue();
    assertThat(result.ok()).isEqualTo(2);
  }

  @Test
  void runAll_stackOverflowIsRecordedAsItemError() throws InterruptedException {
    run(
            TaskChunk.ofItems("job", 0, 0, new String[] {"deep", "1"}),
            item -> item.equals("deep") ? recurse(0) : 1)
        .runAll();

    TaskResult result = onlyResult();
    assertThat(result.errors()).containsExactly("stack overflow", null);
    assertThat(result.values()).containsExactly(null, "1");
  }

  @SuppressWarnings("InfiniteRecursion") // on purpose: the item must overflow the stack
  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  @Test
  void runAll_unrenderableValueIsRecordedAsItemError() throws InterruptedException {
    run(TaskChunk.ofItems("job", 0, 0, new String[] {"x"}), item -> new Object()).runAll();

    TaskResult result = onlyResult();
    assertThat(result.values()).containsOnlyNulls();
    assertThat(result.errors()[0]).startsWith("result of type java.lang.Object is not JSON");
  }

  @Test
  void runItem_busyTimeIsSumOfItemTimesOnly() throws InterruptedException {
    TaskChunk chunk = TaskChunk.ofRange("job", 0, 0, 1, 3);
    // Each item "takes" item * 1000 ns on the fake clock.
    ChunkRun run = run(chunk, item -> clock.addAndGet(Long.parseLong(item) * 1_000));

    run.runItem(0);
    clock.addAndGet(1_000_000); // idle time between items is not busy time
    run.runItem(2);
    assertThat(sink.results).isEmpty();
    clock.addAndGet(5_000_000);
    run.runItem(1);

    TaskResult result = onlyResult();
    assertThat(result.elapsedNanos()).isEqualTo(1_000 + 3_000 + 2_000);
  }

  @Test
  void runAll_onAPlatformThreadRecordsTheTasksCpuTime() throws InterruptedException {
    long burn = 20_000_000;
    run(TaskChunk.ofRange("job", 0, 0, 1, 2), item -> Burn.cpuFor(burn)).runAll();

    // Two items each busy on this thread's CPU for 20 ms of its CPU time.
    assertThat(onlyResult().cpuNanos()).isGreaterThanOrEqualTo(2 * burn);
  }

  @Test
  void runAll_aLaterTaskOfItsJobIsNotMeasured() throws InterruptedException {
    run(
            TaskChunk.ofRange("job", TaskResult.MEASURED_TASKS, 0, 1, 1),
            item -> Burn.cpuFor(5_000_000))
        .runAll();

    assertThat(onlyResult().cpuNanos()).isZero();
  }

  @Test
  void runOne_onAVirtualThreadRecordsNoCpuTime() throws Exception {
    ChunkRun run = run(TaskChunk.ofRange("job", 0, 0, 1, 1), item -> item);

    Thread.ofVirtual()
        .start(
            () -> {
              try {
                run.runOne(0, sign -> {});
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })
        .join();

    assertThat(onlyResult().cpuNanos()).isZero();
  }

  @Test
  void runAll_busyTimeIsSumOfItemTimes() throws InterruptedException {
    ChunkRun run =
        run(TaskChunk.ofRange("job", 0, 0, 5, 2), item -> clock.addAndGet(Long.parseLong(item)));
    run.runAll();

    assertThat(onlyResult().elapsedNanos()).isEqualTo(5 + 6);
  }

  @Test
  void runAll_readsTheClockOncePerItemAndOnceMore_andStillSumsItemTimesAfterAFailure()
      throws InterruptedException {
    AtomicLong reads = new AtomicLong();
    ChunkRun run =
        new ChunkRun(
            TaskChunk.ofRange("job", 0, 0, 1, 6),
            new Binding.Run(
                item -> {
                  clock.addAndGet(Long.parseLong(item) * 100);
                  if (item.equals("3")) {
                    throw new IllegalArgumentException("bad item 3");
                  }
                  return item;
                }),
            sink,
            "w1",
            () -> {
              reads.incrementAndGet();
              return clock.get();
            });

    run.runAll();

    TaskResult result = onlyResult();
    assertThat(result.failed()).isEqualTo(1);
    // Items 1..6 take 100..600: every item's time is counted, the failed one's too.
    assertThat(result.elapsedNanos()).isEqualTo(2_100);
    // Two readings around the failed item (its end is not the next one's start), one per item
    // that got a value, and one to start: 6 + 1 + 1, where a reading before and after each item
    // would be 12.
    assertThat(reads.get()).isEqualTo(8);
  }

  @Test
  void runItem_concurrentItemsRecordOneCompleteResult() throws Exception {
    int count = 64;
    TaskChunk chunk = TaskChunk.ofRange("job", 0, 0, 0, count);
    ChunkRun run =
        new ChunkRun(
            chunk,
            new Binding.Run(item -> Long.parseLong(item) + 1000),
            sink,
            "w1",
            System::nanoTime);
    CountDownLatch go = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> futures =
          java.util.stream.IntStream.range(0, count)
              .<Future<?>>mapToObj(
                  i ->
                      pool.submit(
                          () -> {
                            go.await();
                            run.runItem(i);
                            return null;
                          }))
              .toList();
      go.countDown();
      for (Future<?> future : futures) {
        future.get(10, TimeUnit.SECONDS);
      }
    }

    TaskResult result = onlyResult();
    assertThat(result.ok()).isEqualTo(count);
    for (int i = 0; i < count; i++) {
      assertThat(result.values()[i]).isEqualTo(Long.toString(i + 1000));
    }
  }

  @Test
  void runItem_dropIsNeverRun() {
    ChunkRun run =
        new ChunkRun(
            TaskChunk.ofRange("job", 0, 0, 0, 1),
            new Binding.Drop("cancelled"),
            sink,
            "w1",
            nanoTime);

    assertThatThrownBy(() -> run.runItem(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cancelled");
    assertThat(sink.results).isEmpty();
  }

  @Test
  void runItem_interruptedItemPropagatesInterrupt() {
    ChunkRun run =
        run(
            TaskChunk.ofRange("job", 0, 0, 0, 1),
            item -> {
              throw new InterruptedException("drain timeout");
            });

    assertThatThrownBy(() -> run.runItem(0)).isInstanceOf(InterruptedException.class);
  }

  @Test
  void runAll_linkageErrorIsRecordedAsItemError() throws InterruptedException {
    TaskChunk chunk = TaskChunk.ofItems("job", 0, 0, new String[] {"a", "b"});
    try {
      run(
              chunk,
              item -> {
                if (item.equals("a")) {
                  throw new NoClassDefFoundError("com/acme/Missing");
                }
                return item;
              })
          .runAll();
    } catch (Error e) {
      // Asserted below: the result must be recorded whatever the item threw.
    }

    TaskResult result = onlyResult();
    assertThat(result.errors()[0]).contains("com/acme/Missing");
    assertThat(result.values()).containsExactly(null, "\"b\"");
  }

  /** A run whose items wait for passes of {@code keys}, each item keyed by its first letter. */
  private ChunkRun keyedRun(TaskChunk chunk, ItemFunction function, KeyLimits keys) {
    return keyedRun(chunk, ItemFunction.keyed(function, item -> item.substring(0, 1)), "t", keys);
  }

  /** A run of task {@code task} whose items wait for passes of {@code keys}. */
  private ChunkRun keyedRun(TaskChunk chunk, ItemFunction function, String task, KeyLimits keys) {
    return new ChunkRun(
        chunk,
        new Binding.Run(function, ItemPolicy.ONCE, task),
        sink,
        "w1",
        nanoTime,
        null,
        Backoff.DEFAULT,
        keys);
  }

  private KeyLimits oneAtATime() {
    return new KeyLimits(
        () -> com.netflix.concurrency.limits.limit.FixedLimit.of(1),
        10,
        nanoTime,
        KeyLimits.Listener.NONE);
  }

  @Test
  void runOne_itemWaitsForItsKeysPass_andTheWaitIsMeasured() throws Exception {
    KeyLimits keys = oneAtATime();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch firstRunning = new CountDownLatch(1);
    ChunkRun run =
        keyedRun(
            TaskChunk.ofItems("job", 0, 0, new String[] {"a1", "a2", "b1"}),
            item -> {
              if (item.equals("a1")) {
                firstRunning.countDown();
                release.await();
              }
              return item;
            },
            keys);
    Thread first = Thread.ofVirtual().start(() -> runQuietly(run, 0));
    firstRunning.await();
    Thread second = Thread.ofVirtual().start(() -> runQuietly(run, 1));
    org.awaitility.Awaitility.await().until(() -> keys.waiting() == 1);

    run.runOne(2, sign -> {});
    assertThat(run.waitedNanos(2)).as("key b was free").isZero();
    assertThat(keys.views())
        .extracting(KeyLimits.View::key)
        .as("the task's name, then the key its function gives")
        .contains("t a", "t b");
    clock.addAndGet(40_000_000);
    release.countDown();
    first.join();
    second.join();

    assertThat(run.waitedNanos(1)).isEqualTo(40_000_000);
    assertThat(run.waitedNanos(0)).isZero();
    assertThat(onlyResult().values()).containsExactly("\"a1\"", "\"a2\"", "\"b1\"");
  }

  @Test
  void cancel_whileAnItemWaitsForItsPass_stopsItAndRecordsNothing() throws Exception {
    KeyLimits keys = oneAtATime();
    KeyLimits.Pass held = keys.enter("t a", "other-job");
    ChunkRun run =
        keyedRun(TaskChunk.ofItems("job", 0, 0, new String[] {"a1"}), item -> item, keys);
    Thread waiting = Thread.ofVirtual().start(() -> runQuietly(run, 0));
    org.awaitility.Awaitility.await().until(() -> keys.waiting() == 1);

    run.cancel();
    waiting.join(10_000);

    assertThat(waiting.isAlive()).isFalse();
    assertThat(keys.waiting()).isZero();
    assertThat(sink.results).isEmpty();
    held.exit(/* overloaded= */ false);
    assertThat(keys.enter("t a", "job").waitedNanos())
        .as("the cancelled item took no pass with it")
        .isZero();
  }

  @Test
  void cancel_whileTheCpuLaneRunsAnItem_interruptsIt_runsNoFurtherItem_andRecordsNothing()
      throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    AtomicLong started = new AtomicLong();
    ChunkRun run =
        run(
            TaskChunk.ofRange("job", 0, 0, 1, 3),
            item -> {
              started.incrementAndGet();
              running.countDown();
              new CountDownLatch(1).await(); // until interrupted
              return item;
            });
    AtomicLong released = new AtomicLong();
    Thread lane =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    run.runFrom(0, released::incrementAndGet, Runnable::run);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

    run.cancel();
    lane.join(10_000);

    assertThat(lane.isAlive()).isFalse();
    assertThat(started.get()).as("items started").isEqualTo(1);
    assertThat(released.get()).as("the slot released once").isEqualTo(1);
    assertThat(sink.results).isEmpty();
  }

  @Test
  void cancel_thatInterruptsTheCpuLaneOutsideAnyWait_leavesNoInterruptForItsNextTask()
      throws InterruptedException {
    ChunkRun[] self = new ChunkRun[1];
    AtomicLong started = new AtomicLong();
    self[0] =
        run(
            TaskChunk.ofRange("job", 0, 0, 1, 3),
            item -> {
              started.incrementAndGet();
              self[0].cancel(); // interrupts this thread, which waits for nothing after it
              return item;
            });

    self[0].runFrom(0, () -> {}, Runnable::run);

    assertThat(Thread.interrupted()).as("an interrupt left on the lane's thread").isFalse();
    assertThat(started.get()).isEqualTo(1);
    assertThat(sink.results).isEmpty();
  }

  @Test
  void limitKey_thatThrows_leavesTheItemLimitedAsItsTask_andTheItemRuns() throws Exception {
    KeyLimits keys = oneAtATime();
    ChunkRun run =
        keyedRun(
            TaskChunk.ofItems("job", 0, 0, new String[] {"x"}),
            ItemFunction.keyed(
                item -> item + "!",
                item -> {
                  throw new IllegalStateException("no key for " + item);
                }),
            "plugin",
            keys);

    run.runOne(0, sign -> {});

    assertThat(onlyResult().values()).containsExactly("\"x!\"");
    assertThat(keys.views()).extracting(KeyLimits.View::key).containsExactly("plugin");
  }

  @Test
  void aTryThatFailsWithoutAnOverloadSign_isNotMeasured_andATryThatAnswersIs() throws Exception {
    RecordingLimit limit = new RecordingLimit(10);
    KeyLimits keys = new KeyLimits(() -> limit, 10, nanoTime, KeyLimits.Listener.NONE);
    java.util.concurrent.atomic.AtomicInteger flakyTries =
        new java.util.concurrent.atomic.AtomicInteger();
    ChunkRun run =
        new ChunkRun(
            TaskChunk.ofItems("job", 0, 0, new String[] {"flaky", "down"}),
            new Binding.Run(
                item -> {
                  if (item.equals("down") || flakyTries.incrementAndGet() == 1) {
                    throw new java.net.ConnectException("Connection refused");
                  }
                  clock.addAndGet(50_000_000);
                  return item;
                },
                new ItemPolicy(1, java.time.Duration.ZERO),
                "t"),
            sink,
            "w1",
            nanoTime,
            null,
            new Backoff(
                java.time.Duration.ofMillis(1),
                java.time.Duration.ofMillis(1),
                java.util.random.RandomGenerator.getDefault()),
            keys);
    List<ChunkRun.Sign> ends = new java.util.concurrent.CopyOnWriteArrayList<>();

    run.runOne(0, ends::add);
    run.runOne(1, ends::add);

    // A refused connection's millisecond, fed to the key's limit, would be its shortest round trip.
    assertThat(limit.samples).as("the key's limit hears only the try that answered").hasSize(1);
    assertThat(limit.samples.getFirst().dropped()).isFalse();
    assertThat(ends).containsExactly(ChunkRun.Sign.ANSWERED, ChunkRun.Sign.FAILED);
    assertThat(keys.views())
        .singleElement()
        .satisfies(view -> assertThat(view.inFlight()).as("passes handed back").isZero());
    assertThat(onlyResult().errors()[1]).contains("Connection refused");
  }

  private static void runQuietly(ChunkRun run, int item) {
    try {
      run.runOne(item, sign -> {});
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
