package dev.crew.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The library against a real worker, embedded the way a program embeds one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CrewClientTest {
  private CrewClient crew;

  @BeforeAll
  void start() {
    crew = CrewClient.embedded(2, 50);
  }

  @AfterAll
  void stop() {
    if (crew != null) {
      crew.close();
    }
  }

  private static long fib(int n) {
    long a = 0;
    long b = 1;
    for (int i = 0; i < n; i++) {
      long next = a + b;
      a = b;
      b = next;
    }
    return a;
  }

  @Test
  void ordered_everyItemOnceInInputOrder_withItsValue() {
    JobHandle job = crew.submit(JobSpec.task("fib").range(1, 30).chunk(1).ordered().build());

    List<ItemResult> results = job.results().toList();

    assertThat(results).extracting(ItemResult::index).containsExactlyElementsOf(range(0, 29));
    for (ItemResult result : results) {
      int n = Integer.parseInt(result.item());
      assertThat(result.ok()).isTrue();
      assertThat(result.json()).isEqualTo(Long.toString(fib(n)));
      assertThat(result.worker()).isNotBlank();
    }
    JobSummary summary = job.summary().join();
    assertThat(summary.ok()).isEqualTo(30);
    assertThat(summary.failed()).isZero();
    assertThat(summary.cancelled()).isFalse();
    assertThat(summary.jobId()).isEqualTo(job.id()).startsWith("fib-");
    assertThat(job.progress()).isEqualTo(new JobProgress(30, 30, 30, 0));
  }

  @Test
  void streamInput_failedItemsAreResultsAndTheOthersStillCome() {
    Stream<String> items = Stream.of("3", "not-a-number", "10", "-1", "20");

    JobHandle job = crew.submit(JobSpec.task("sum-squares").items(items).build());

    List<ItemResult> results = new ArrayList<>(job.results().toList());
    results.sort((a, b) -> Long.compare(a.index(), b.index()));
    assertThat(results)
        .extracting(ItemResult::item)
        .containsExactly("3", "not-a-number", "10", "-1", "20");
    assertThat(results)
        .extracting(ItemResult::json)
        .containsExactly("5", null, "285", null, "2470");
    assertThat(results.get(1).error()).contains("not-a-number");
    assertThat(results.get(3).ok()).isFalse();
    JobSummary summary = job.summary().join();
    assertThat(summary.ok()).isEqualTo(3);
    assertThat(summary.failed()).isEqualTo(2);
  }

  @Test
  void reduce_theSummaryHoldsTheExactSum() {
    JobHandle job = crew.submit(JobSpec.task("sum-squares").range(1, 2_000).reduce("sum").build());

    JobSummary summary = job.summary().join();

    BigInteger expected = BigInteger.ZERO;
    for (long n = 1; n <= 2_000; n++) {
      // sum-squares(n) = sum of i*i for 0 <= i < n
      expected = expected.add(BigInteger.valueOf((n - 1) * n * (2 * n - 1) / 6));
    }
    assertThat(summary.reduction()).contains(expected.toString());
    assertThat(summary.ok()).isEqualTo(2_000);
    assertThatThrownBy(job::results).isInstanceOf(IllegalStateException.class);
  }

  private String reduceOneTo100(String reduction) {
    JobSummary summary =
        crew.submit(JobSpec.task("noop").range(1, 100).reduce(reduction).build()).summary().join();
    assertThat(summary.ok()).isEqualTo(100);
    return summary.reduction().orElseThrow();
  }

  @Test
  void reduce_meanAndHistogram() {
    assertThat(reduceOneTo100("mean")).isEqualTo("50.5");
    assertThat(reduceOneTo100("histogram"))
        .startsWith(
            "{\"count\":100,\"min\":1,\"max\":100,\"mean\":50.5,\"p50\":50,\"p90\":90,\"p99\":99,"
                + "\"p999\":100,\"bins\":[{\"from\":1,\"to\":10.9,\"count\":10},");
  }

  @Test
  void reduce_aPluginsReductionOnTheClassPath() {
    assertThat(reduceOneTo100("evens")).isEqualTo("50");
  }

  @Test
  void reduce_unknownNameRefusedWithTheKnownOnes() {
    JobSpec spec = JobSpec.task("noop").range(1, 10).reduce("avg").build();

    assertThatThrownBy(() -> crew.submit(spec))
        .isInstanceOf(CrewClientException.class)
        .hasMessage("bad --reduce 'avg' (known: count, evens, histogram, max, mean, min, sum)");
  }

  @Test
  void publisher_theSubscribersRequestsSetThePace() throws Exception {
    JobHandle job = crew.submit(JobSpec.task("sum-squares").range(0, 499).chunk(7).build());
    List<Long> indexes = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch completed = new CountDownLatch(1);
    int[] mostOutstanding = new int[1];

    job.publisher()
        .subscribe(
            new Flow.Subscriber<>() {
              private Flow.Subscription subscription;
              private int outstanding;

              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                this.subscription = subscription;
                outstanding = 3;
                subscription.request(3);
              }

              @Override
              public void onNext(ItemResult item) {
                indexes.add(item.index());
                outstanding--;
                mostOutstanding[0] = Math.max(mostOutstanding[0], outstanding);
                if (outstanding == 0) {
                  outstanding = 3;
                  subscription.request(3);
                }
              }

              @Override
              public void onError(Throwable throwable) {
                completed.countDown();
              }

              @Override
              public void onComplete() {
                completed.countDown();
              }
            });

    assertThat(completed.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(indexes).hasSize(500).doesNotHaveDuplicates();
    assertThat(mostOutstanding[0]).isLessThan(3);
    assertThat(job.summary().join().ok()).isEqualTo(500);
  }

  @Test
  void publisher_aSubscriberThatCancels_theJobStillEndsAndCountsEveryItem() throws Exception {
    JobHandle job = crew.submit(JobSpec.task("noop").range(1, 30_000).chunk(10).build());
    List<ItemResult> taken = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch gotTwo = new CountDownLatch(2);

    job.publisher()
        .subscribe(
            new Flow.Subscriber<>() {
              private Flow.Subscription subscription;

              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                this.subscription = subscription;
                subscription.request(2);
              }

              @Override
              public void onNext(ItemResult item) {
                taken.add(item);
                gotTwo.countDown();
                if (taken.size() == 2) {
                  subscription.cancel();
                }
              }

              @Override
              public void onError(Throwable throwable) {}

              @Override
              public void onComplete() {}
            });

    assertThat(gotTwo.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(job.summary().join().ok()).isEqualTo(30_000);
    assertThat(taken).hasSize(2);
  }

  @Test
  void cancel_midway_theStreamEndsAndTheSummarySaysCancelled() {
    List<String> delays = Collections.nCopies(400, "100");
    JobHandle job = crew.submit(JobSpec.task("sleep").items(delays).chunk(1).build());
    Stream<ItemResult> results = job.results();
    var iterator = results.iterator();

    List<ItemResult> seen = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      seen.add(iterator.next());
    }
    assertThat(job.cancel()).isTrue();
    iterator.forEachRemaining(seen::add);

    JobSummary summary = job.summary().join();
    assertThat(summary.cancelled()).isTrue();
    assertThat(seen.size()).isGreaterThanOrEqualTo(5).isLessThan(400);
    assertThat(job.cancel()).isFalse();
    assertThat(crew.snapshot().jobs()).anySatisfy(row -> assertThat(row.id()).isEqualTo(job.id()));
  }

  @Test
  void badItem_theJobFailsWithOneLine_andTheStreamSaysSo() {
    Stream<String> items = Stream.of("1", null, "2");

    JobHandle job = crew.submit(JobSpec.task("fib").items(items).chunk(1).build());

    assertThatThrownBy(() -> job.results().toList())
        .isInstanceOf(CrewClientException.class)
        .hasMessageContaining("item 1 is null");
    assertThatThrownBy(() -> job.summary().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(CrewClientException.class);
  }

  @Test
  void refusedBeforeAnythingIsQueued_unknownTaskBadParamTakenStream() {
    assertThatThrownBy(() -> crew.submit(JobSpec.task("fibonacci").range(1, 3).build()))
        .isInstanceOf(CrewClientException.class)
        .hasMessageContaining("unknown task 'fibonacci'")
        .hasMessageContaining("fib");
    assertThatThrownBy(
            () -> crew.submit(JobSpec.task("fib").range(1, 3).param("depth", "2").build()))
        .isInstanceOf(CrewClientException.class)
        .hasMessageContaining("depth");
    assertThatThrownBy(() -> JobSpec.task("fib").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no input");
    JobSpec once = JobSpec.task("fib").items(Stream.of("5")).build();
    assertThat(crew.submit(once).summary().join().ok()).isEqualTo(1);
    assertThatThrownBy(() -> crew.submit(once))
        .isInstanceOf(CrewClientException.class)
        .hasMessageContaining("runs once");
  }

  @Test
  void discardResults_countedOnly_andTheStreamRefused() {
    JobHandle job = crew.submit(JobSpec.task("noop").range(1, 50_000).discardResults().build());

    assertThatThrownBy(job::results).isInstanceOf(IllegalStateException.class);
    JobSummary summary = job.summary().join();
    assertThat(summary.ok()).isEqualTo(50_000);
    assertThat(job.progress().fraction()).isEqualTo(1.0);
    assertThat(summary.wall()).isPositive().isLessThan(Duration.ofMinutes(1));
  }

  @Test
  void broadcast_theOneWorkerRunsEveryItemOnce_andABroadcastTakesNoId() {
    String worker = crew.workers().workers().getFirst().name();

    JobHandle job = crew.submit(JobSpec.task("sum-squares").range(1, 40).broadcast().build());

    List<ItemResult> results = job.results().toList();
    assertThat(results)
        .extracting(ItemResult::index)
        .containsExactlyInAnyOrderElementsOf(range(0, 39));
    assertThat(results).allSatisfy(r -> assertThat(r.worker()).isEqualTo(worker));
    assertThat(job.summary().join().perWorker()).isEqualTo(java.util.Map.of(worker, 40L));
    assertThatThrownBy(() -> JobSpec.task("fib").range(1, 2).broadcast().id("again").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("broadcast");
  }

  @Test
  void workers_theEmbeddedWorkerWithItsTasks() {
    ClusterView view = crew.workers();

    assertThat(view.workers()).hasSize(1);
    assertThat(view.tasks()).containsKeys("fib", "sleep", "http-get", "exec");
    assertThat(view.workers().getFirst().cpuThreads()).isEqualTo(2);
  }

  private static BigInteger sumSquares(long n) {
    BigInteger sum = BigInteger.ZERO;
    for (long i = 0; i < n; i++) {
      sum = sum.add(BigInteger.valueOf(i).pow(2));
    }
    return sum;
  }

  @Test
  void pipeline_eachItemPassesEveryStage_onTheirLanes_andAFailureStopsOnlyItsPath() {
    Stream<String> items = Stream.of("5", "x", "12", "20", "-3", "25");

    JobHandle job =
        crew.submit(
            JobSpec.task("fib")
                .items(items)
                .chunk(1)
                .then("sum-squares")
                .then(StageSpec.task("noop").lane(dev.crew.common.Lane.IO))
                .build());

    List<ItemResult> results = new ArrayList<>(job.results().toList());
    results.sort((a, b) -> Long.compare(a.index(), b.index()));
    assertThat(results).extracting(ItemResult::index).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    for (int i : new int[] {0, 2, 3, 5}) {
      ItemResult result = results.get(i);
      int n = List.of(5, 0, 12, 20, 0, 25).get(i);
      assertThat(result.error()).as("item %d", i).isNull();
      assertThat(result.json()).isEqualTo(sumSquares(fib(n)).toString());
      assertThat(result.item()).isEqualTo(sumSquares(fib(n)).toString());
      assertThat(result.stages())
          .containsExactly(
              Long.toString(fib(n)), sumSquares(fib(n)).toString(), sumSquares(fib(n)).toString());
    }
    assertThat(results.get(1).stages()).containsExactly(null, null, null);
    assertThat(results.get(1).error()).startsWith("stage 1 (fib): ").contains("x");
    assertThat(results.get(4).error()).startsWith("stage 1 (fib): ");
    JobSummary summary = job.summary().join();
    assertThat(summary.ok()).isEqualTo(4);
    assertThat(summary.failed()).isEqualTo(2);
  }

  @Test
  void pipeline_ofManyItems_recordsEachFinalValueOnce() {
    JobHandle job =
        crew.submit(JobSpec.task("noop").range(1, 3000).then("sum-squares").then("noop").build());

    List<ItemResult> results = job.results().toList();

    assertThat(results).hasSize(3000);
    assertThat(results).extracting(ItemResult::index).doesNotHaveDuplicates();
    for (ItemResult result : results) {
      assertThat(result.json()).isEqualTo(sumSquares(result.index() + 1).toString());
    }
  }

  @Test
  void pipeline_withAnUnknownStageTask_isRefusedNamingTheStage() {
    assertThatThrownBy(
            () -> crew.submit(JobSpec.task("fib").range(1, 3).then("no-such-task").build()))
        .isInstanceOf(CrewClientException.class)
        .hasMessageStartingWith("stage 2 (no-such-task): unknown task 'no-such-task'");
  }

  private static List<Long> range(long first, long last) {
    return LongStream.rangeClosed(first, last).boxed().toList();
  }
}
