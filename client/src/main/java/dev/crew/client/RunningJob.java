package dev.crew.client;

import dev.crew.client.job.Abandonment;
import dev.crew.client.job.Cancellation;
import dev.crew.client.job.ItemSource;
import dev.crew.client.job.LaneChoice;
import dev.crew.client.job.Outcome;
import dev.crew.client.job.Progress;
import dev.crew.client.job.Reduction;
import dev.crew.client.job.ResultHandler;
import dev.crew.common.Job;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * A job this client runs: one thread reads its results from the cluster (the same run as the
 * command line's) and hands them to the program through a bounded feed.
 */
final class RunningJob implements JobHandle {
  /** Task results waiting for the program; while full, no more are read from the cluster. */
  static final int FEED_TASKS = 64;

  private static final Object END = new Object();

  /** How often a feed that is full checks whether its reader gave up. */
  private static final long FEED_CHECK_MILLIS = 50;

  private final String id;
  private final CrewClient client;
  private final boolean discard;
  private final @Nullable Reduction reduction;
  private final BlockingQueue<Object> feed = new ArrayBlockingQueue<>(FEED_TASKS);
  private final CompletableFuture<JobSummary> summary = new CompletableFuture<>();

  /**
   * Completes once the job's record is stored (its input is being read, or it was stored whole
   * before), or the run ended: a cancel waits for it.
   */
  private final CompletableFuture<Void> stored = new CompletableFuture<>();

  private final AtomicBoolean resultsTaken = new AtomicBoolean();
  private final AtomicLong total = new AtomicLong(-1);
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  /** Set when no one will read the feed any more: cancelled, or its stream closed. */
  private volatile boolean stopFeeding;

  RunningJob(String id, CrewClient client, boolean discard, @Nullable Reduction reduction) {
    this.id = id;
    this.client = client;
    this.discard = discard;
    this.reduction = reduction;
  }

  @Override
  public String id() {
    return id;
  }

  /** Where the run hands each task's results: counted, then reduced or fed to the program. */
  ResultHandler handler() {
    return new ResultHandler() {
      @Override
      public void accept(TaskResult result) throws IOException {
        stored.complete(null);
        ok.addAndGet(result.ok());
        failed.addAndGet(result.failed());
        if (reduction != null) {
          reduction.accept(result);
        } else if (!discard) {
          feed(result);
        }
      }
    };
  }

  /** What the run reports of the job's size and pace. */
  Progress progressSink() {
    return new Progress() {
      @Override
      public void total(long items) {
        stored.complete(null); // a job stored whole before: its input is not read again
        total.set(items);
      }

      @Override
      public void advance(long items) {
        done.addAndGet(items);
      }

      @Override
      public void close() {}
    };
  }

  /** {@code source}, telling this job when the run first reads it: its record is stored by then. */
  ItemSource watching(ItemSource source) {
    return new ItemSource() {
      @Override
      public long total() {
        return source.total();
      }

      @Override
      public TaskChunk next(String jobId, long seq, int max) throws IOException {
        stored.complete(null);
        return source.next(jobId, seq, max);
      }

      @Override
      public long read() {
        return source.read();
      }

      @Override
      public Optional<String> digest() {
        return source.digest();
      }

      @Override
      public String readToEnd() throws IOException {
        return source.readToEnd();
      }

      @Override
      public void close() throws IOException {
        source.close();
      }
    };
  }

  /** The run ended with {@code outcome}. */
  void finished(Outcome outcome) {
    stored.complete(null);
    summary.complete(
        new JobSummary(
            outcome.jobId(),
            outcome.ok(),
            outcome.failed(),
            outcome.tasks(),
            outcome.wall(),
            outcome.perWorker(),
            outcome.cancelled(),
            Optional.ofNullable(reduction).map(Reduction::value),
            outcome.lane().map(LaneChoice::lane)));
    end();
  }

  /** The run failed: the job is abandoned if it was still being queued. */
  void failed(String message, Throwable cause, Abandonment abandonment) {
    stored.complete(null);
    abandonment.abandon(message);
    summary.completeExceptionally(new CrewClientException(message, cause));
    end();
  }

  private void feed(TaskResult result) throws IOException {
    try {
      while (!stopFeeding) {
        if (feed.offer(result, FEED_CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while handing results on", e);
    }
  }

  /** Ends the feed: after what is in it, or at once if no one reads it any more. */
  private void end() {
    try {
      while (!feed.offer(END, FEED_CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
        if (stopFeeding) {
          feed.clear();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      feed.clear();
      feed.offer(END);
    }
  }

  @Override
  public Stream<ItemResult> results() {
    takeResults();
    Iterator<ItemResult> items = new FeedIterator();
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(
                items, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE),
            false)
        .onClose(() -> stopFeeding = true);
  }

  @Override
  public Flow.Publisher<ItemResult> publisher() {
    takeResults();
    AtomicBoolean subscribed = new AtomicBoolean();
    return subscriber -> {
      SubmissionPublisher<ItemResult> publisher = new SubmissionPublisher<>();
      publisher.subscribe(subscriber);
      if (!subscribed.compareAndSet(false, true)) {
        publisher.closeExceptionally(
            new IllegalStateException("the results of job " + id + " have a subscriber already"));
        return;
      }
      Thread.ofVirtual()
          .name("crew-results-" + id)
          .start(
              () -> {
                try {
                  FeedIterator items = new FeedIterator();
                  while (items.hasNext() && publisher.getNumberOfSubscribers() > 0) {
                    // Waits while the subscriber's buffer is full: its requests set the pace.
                    publisher.submit(items.next());
                  }
                  publisher.close();
                } catch (RuntimeException e) {
                  publisher.closeExceptionally(e);
                } finally {
                  stopFeeding = true;
                }
              });
    };
  }

  private void takeResults() {
    if (discard) {
      throw new IllegalStateException(
          "job " + id + " discards its results (it has a reduction, or asked to discard them)");
    }
    if (!resultsTaken.compareAndSet(false, true)) {
      throw new IllegalStateException("the results of job " + id + " were asked for already");
    }
  }

  @Override
  public CompletableFuture<JobSummary> summary() {
    return summary;
  }

  @Override
  public JobProgress progress() {
    return new JobProgress(done.get(), total.get(), ok.get(), failed.get());
  }

  @Override
  public boolean cancel() {
    stored.join();
    if (summary.isDone()) {
      return false;
    }
    stopFeeding = true;
    Optional<Job> job = client.storedJob(id);
    if (job.isEmpty()) {
      return false;
    }
    Optional<Cancellation.Result> result = client.cancel(job.get());
    return result.map(Cancellation.Result::cancelled).orElse(false);
  }

  /** The feed's item results one by one; blocks for the next task's. */
  private final class FeedIterator implements Iterator<ItemResult> {
    private @Nullable TaskResult current;
    private int next;
    private boolean ended;

    @Override
    public boolean hasNext() {
      while (!ended && (current == null || next >= current.count())) {
        Object taken;
        try {
          taken = feed.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CrewClientException("interrupted while waiting for results of job " + id, e);
        }
        if (taken == END) {
          ended = true;
          failure();
        } else {
          current = (TaskResult) taken;
          next = 0;
        }
      }
      return !ended;
    }

    @Override
    public ItemResult next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      TaskResult result = current;
      int i = next++;
      String item = result.isRange() ? Long.toString(result.rangeStart() + i) : result.items()[i];
      return new ItemResult(
          result.firstIndex() + i,
          item,
          result.failed(i) ? null : result.values()[i],
          result.failed(i) ? result.errors()[i] : null,
          result.worker(),
          result.stageValues(i));
    }

    /** Throws the run's failure, if it failed. */
    private void failure() {
      try {
        summary.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof CrewClientException crew) {
          throw crew;
        }
        throw new CrewClientException(String.valueOf(e.getCause()), e.getCause());
      }
    }
  }
}
