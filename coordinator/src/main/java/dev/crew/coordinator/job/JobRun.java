package dev.crew.coordinator.job;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicates;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Job;
import dev.crew.common.JobSigner;
import dev.crew.common.JobState;
import dev.crew.common.Names;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs one job from the submitting side: queues its tasks from a streamed input while results
 * stream back.
 *
 * <p>The producer (its own thread) reads the input, cuts it into tasks with the {@link
 * ChunkPlanner} and offers them to the lane's bounded queue; a window of tasks and items in flight
 * makes it wait when the cluster is behind, so memory stays flat however large the input. The
 * consumer (the calling thread) takes results from an entry listener on the results map, hands each
 * task's results on exactly once, and, when nothing has arrived for a while, reads any result the
 * listener may have missed straight from the map.
 */
public final class JobRun {
  /**
   * Items queued or running at once; bounds the memory of results held back for {@code --ordered}.
   */
  static final int ITEM_WINDOW = 200_000;

  static final int MAX_TASK_WINDOW = ClusterConfigs.QUEUE_CAPACITY;
  private static final int MAX_BATCH = 64;
  private static final Duration IDLE_CHECK = Duration.ofSeconds(1);
  private static final Duration OFFER_WAIT = Duration.ofMillis(500);

  /**
   * @param detach queue everything and return without waiting for results
   * @param keepResults leave delivered results in the cluster for {@code coordinator results}
   * @param slots the lane's slots across the cluster: tasks in flight are kept to a few per slot,
   *     enough to keep every slot busy, few enough that tasks sized before the item times were
   *     known do not pile up
   * @param signer signs the job and each task with the cluster secret; {@code null} sends them
   *     unsigned
   * @param keepLimitBytes with {@code keepResults}, bytes of delivered results to keep; those
   *     delivered after are replaced by their counts, as without it
   */
  public record Options(
      boolean detach, boolean keepResults, int slots, JobSigner signer, long keepLimitBytes) {
    public Options(boolean detach, boolean keepResults) {
      this(detach, keepResults, MAX_TASK_WINDOW, null);
    }

    /** Options that keep every delivered result when {@code keepResults}. */
    public Options(boolean detach, boolean keepResults, int slots, JobSigner signer) {
      this(detach, keepResults, slots, signer, Long.MAX_VALUE);
    }

    int taskWindow() {
      return (int) Math.max(64, Math.min(MAX_TASK_WINDOW, 8L * slots));
    }
  }

  private sealed interface Event {}

  private record Arrived(TaskResult result) implements Event {}

  private record Queued(long items, long tasks) implements Event {}

  private record ProducerFailed(Exception error) implements Event {}

  private record Cancelled() implements Event {}

  private record Refused() implements Event {}

  private final HazelcastInstance hazelcast;
  private final IMap<String, Job> jobs;
  private final IMap<String, TaskResult> results;
  private final IMap<String, TaskChunk> tasks;
  private final BlockingQueue<Event> inbox = new LinkedBlockingQueue<>();
  private final Map<Long, Integer> outstanding = new ConcurrentHashMap<>();
  private Semaphore taskWindow;
  private final Semaphore itemWindow = new Semaphore(ITEM_WINDOW);
  private volatile boolean stopped;
  private JobSigner signer;

  public JobRun(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.jobs = hazelcast.getMap(Names.JOBS);
    this.results = hazelcast.getMap(Names.RESULTS);
    this.tasks = hazelcast.getMap(Names.TASKS);
  }

  /**
   * Results as they are recorded, and those a split-off part of the cluster brings back when it
   * merges.
   */
  private final class ResultListener
      implements EntryAddedListener<String, TaskResult>, EntryMergedListener<String, TaskResult> {
    @Override
    public void entryAdded(EntryEvent<String, TaskResult> event) {
      inbox.add(new Arrived(event.getValue()));
    }

    @Override
    public void entryMerged(EntryEvent<String, TaskResult> event) {
      if (event.getValue() != null) {
        inbox.add(new Arrived(event.getValue()));
      }
    }
  }

  /** A fresh job id: the task's name and a short random suffix, e.g. {@code fib-3k9x2a}. */
  public static String newJobId(String task) {
    String suffix = Long.toString(UUID.randomUUID().getLeastSignificantBits() & 0xFFFFFFFFFFL, 36);
    return task + "-" + suffix;
  }

  /**
   * Runs {@code job} over {@code source}; returns when every task has a result, or the job is
   * cancelled.
   */
  public Outcome run(
      Job job,
      ItemSource source,
      ChunkPlanner planner,
      ResultHandler handler,
      Progress progress,
      Options options)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    taskWindow = new Semaphore(options.taskWindow());
    signer = options.signer();
    if (signer != null) {
      job = job.withSignature(signer.sign(job));
    }
    Job existing = jobs.putIfAbsent(job.id(), job);
    Resume resume = Resume.FRESH;
    if (existing != null) {
      job = adopt(existing, job);
      resume = findQueued(job);
      for (long seq = 0; seq < resume.nextSeq(); seq++) {
        outstanding.put(
            seq, 0); // queued by an earlier submission: their results are read from the map
      }
    }
    UUID resultListener =
        results.addEntryListener(
            new ResultListener(), Predicates.equal("jobId", job.id()), /* includeValue= */ true);
    UUID jobListener =
        jobs.addEntryListener(
            (EntryUpdatedListener<String, Job>)
                e -> {
                  if (e.getValue().state() == JobState.CANCELLED) {
                    inbox.add(new Cancelled());
                  } else if (e.getValue().state() == JobState.REFUSED) {
                    inbox.add(new Refused());
                  }
                },
            job.id(),
            /* includeValue= */ true);
    IQueue<String> queue = hazelcast.getQueue(job.lane().queueName());
    Job signed = job;
    Resume from = resume;
    Thread producer =
        Thread.ofPlatform()
            .name("crew-submit-" + job.id())
            .daemon(true)
            .start(() -> produce(signed, source, planner, queue, from));
    if (resume.nextSeq() > 0) {
      recover(job.id(), Integer.MAX_VALUE);
    }
    try {
      if (options.detach()) {
        return awaitQueued(job, producer, planner, started);
      }
      return consume(job, handler, planner, progress, options, started);
    } finally {
      stopped = true;
      producer.interrupt();
      results.removeEntryListener(resultListener);
      jobs.removeEntryListener(jobListener);
    }
  }

  private void produce(
      Job job, ItemSource source, ChunkPlanner planner, IQueue<String> queue, Resume resume) {
    List<TaskChunk> batch = new ArrayList<>();
    int batchLimit = 1;
    long seq = resume.nextSeq();
    try {
      if (job.totalsKnown()) {
        // An earlier submission queued everything: nothing to add, only results to collect.
        inbox.add(new Queued(job.totalItems(), job.totalTasks()));
        return;
      }
      for (long skip = resume.nextIndex(); skip > 0 && !stopped; ) {
        TaskChunk queuedBefore = source.next(job.id(), 0, (int) Math.min(skip, 65_536));
        if (queuedBefore == null) {
          break;
        }
        skip -= queuedBefore.count();
      }
      while (!stopped) {
        if (planner.probing() && !batch.isEmpty()) {
          offerAll(queue, batch);
        }
        TaskChunk chunk = source.next(job.id(), seq, planner.nextSize());
        if (chunk == null) {
          break;
        }
        if (signer != null) {
          chunk = chunk.withSignature(signer.sign(chunk));
        }
        if (!taskWindow.tryAcquire()) {
          offerAll(queue, batch);
          taskWindow.acquire();
        }
        if (!itemWindow.tryAcquire(chunk.count())) {
          offerAll(queue, batch);
          itemWindow.acquire(chunk.count());
        }
        outstanding.put(seq, chunk.count());
        batch.add(chunk);
        seq++;
        if (batch.size() >= batchLimit) {
          offerAll(queue, batch);
          // The first task goes out alone, for the first result's sake; then batches grow to save
          // round trips.
          batchLimit = Math.min(MAX_BATCH, batchLimit * 2);
        }
      }
      offerAll(queue, batch);
      if (!stopped) {
        long items = source.read();
        long tasks = seq;
        markQueued(job.id(), items, tasks, source.digest().orElse(""));
        inbox.add(new Queued(items, tasks));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      if (!stopped) {
        inbox.add(new ProducerFailed(e));
      }
    }
  }

  private void markQueued(String jobId, long items, long tasks, String inputDigest) {
    for (int attempt = 0; attempt < 100; attempt++) {
      Job current = jobs.get(jobId);
      if (current == null) {
        return;
      }
      Job queued = current.queued(items, tasks);
      if (queued.inputDigest().isEmpty()) {
        queued = queued.withInputDigest(inputDigest);
      }
      if (jobs.replace(jobId, current, queued)) {
        return;
      }
    }
    throw new IllegalStateException("could not record the totals of job " + jobId);
  }

  /**
   * Stores the batch's tasks in the task map, then queues their ids: in one operation when the
   * queue has room, else one at a time, waiting as needed. A task is stored before its id is
   * queued, so a worker always finds it.
   */
  private void offerAll(IQueue<String> queue, List<TaskChunk> batch) throws InterruptedException {
    if (batch.isEmpty()) {
      return;
    }
    // One asynchronous set per task, all in flight at once, rather than putAll: for a small batch,
    // putAll's
    // invocation on partitions costs several times more.
    List<CompletableFuture<Void>> stored = new ArrayList<>(batch.size());
    List<String> ids = new ArrayList<>(batch.size());
    for (TaskChunk chunk : batch) {
      stored.add(tasks.setAsync(chunk.taskId(), chunk).toCompletableFuture());
      ids.add(chunk.taskId());
    }
    try {
      CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime
          ? runtime
          : new IllegalStateException(e.getCause());
    }
    try {
      if (ids.size() == 1) {
        offerOne(queue, ids.getFirst());
      } else {
        queue.addAll(ids);
      }
    } catch (IllegalStateException full) {
      for (String id : ids) {
        offerOne(queue, id);
      }
    }
    batch.clear();
  }

  private void offerOne(IQueue<String> queue, String taskId) throws InterruptedException {
    while (!queue.offer(taskId, OFFER_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      if (stopped) {
        throw new InterruptedException("job stopped while its queue was full");
      }
    }
  }

  private Outcome awaitQueued(Job job, Thread producer, ChunkPlanner planner, long started)
      throws IOException, InterruptedException {
    while (true) {
      Event event = inbox.take();
      switch (event) {
        case Arrived arrived -> {
          TaskResult result = arrived.result();
          Integer count = outstanding.remove(result.seq());
          if (count != null && count > 0) {
            taskWindow.release();
            itemWindow.release(count);
            planner.record(result.count(), result.elapsedNanos());
          }
        }
        case Queued queued -> {
          producer.join();
          return new Outcome(job.id(), 0, 0, queued.tasks(), elapsed(started), Map.of(), false);
        }
        case ProducerFailed failed -> throw asIo(failed.error());
        case Cancelled cancelled -> {
          return new Outcome(job.id(), 0, 0, 0, elapsed(started), Map.of(), true);
        }
        case Refused refused -> throw refusal(job);
      }
    }
  }

  private Outcome consume(
      Job job,
      ResultHandler handler,
      ChunkPlanner planner,
      Progress progress,
      Options options,
      long started)
      throws IOException, InterruptedException {
    long expectedTasks = -1;
    long receivedTasks = 0;
    long ok = 0;
    long failed = 0;
    Map<String, Long> perWorker = new HashMap<>();
    Map<String, TaskResult> delivered = new HashMap<>();
    KeptResults kept = new KeptResults(options.keepResults() ? options.keepLimitBytes() : 0);
    while (expectedTasks < 0 || receivedTasks < expectedTasks) {
      Event event = inbox.poll(IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
      if (event == null) {
        handler.flush();
        recover(job.id(), 1_000);
        continue;
      }
      switch (event) {
        case Arrived arrived -> {
          TaskResult result = arrived.result();
          Integer count = outstanding.remove(result.seq());
          if (count == null) {
            continue; // already delivered, e.g. seen by the listener and by a recovery read
          }
          if (count > 0) {
            taskWindow.release();
            itemWindow.release(count);
          }
          receivedTasks++;
          if (result.consumed()) {
            // Delivered by an earlier submission of this job that did not keep its results:
            // counted, not shown.
            handler.skip(result.seq());
            ok += result.ok();
            failed += result.failed();
            progress.advance(result.count());
            continue;
          }
          planner.record(result.count(), result.elapsedNanos());
          handler.accept(result);
          ok += result.ok();
          failed += result.failed();
          perWorker.merge(result.worker(), (long) result.count(), Long::sum);
          progress.advance(result.count());
          if (!kept.keep(result)) {
            delivered.put(result.taskId(), result.asConsumed());
          }
        }
        case Queued queued -> {
          expectedTasks = queued.tasks();
          progress.total(queued.items());
        }
        case ProducerFailed producerFailed -> throw asIo(producerFailed.error());
        case Cancelled cancelled -> {
          handler.flush();
          return new Outcome(
              job.id(), ok, failed, receivedTasks, elapsed(started), perWorker, true);
        }
        case Refused refused -> throw refusal(job);
      }
      if (inbox.isEmpty() || delivered.size() >= MAX_BATCH) {
        handler.flush();
        forget(delivered);
      }
    }
    handler.flush();
    forget(delivered);
    markDone(job.id());
    return new Outcome(job.id(), ok, failed, receivedTasks, elapsed(started), perWorker, false);
  }

  /**
   * Replaces delivered results by their counts, in one batch: the values are written out, memory
   * stays flat.
   */
  private void forget(Map<String, TaskResult> delivered) {
    if (!delivered.isEmpty()) {
      results.setAllAsync(new HashMap<>(delivered));
      delivered.clear();
    }
  }

  /**
   * Reads results the listener has not delivered (events are not guaranteed) straight from the map,
   * at most {@code limit} of them.
   */
  private void recover(String jobId, int limit) {
    Job current = jobs.get(jobId);
    if (current != null && current.state() == JobState.CANCELLED) {
      inbox.add(new Cancelled());
      return;
    }
    if (current != null && current.state() == JobState.REFUSED) {
      inbox.add(new Refused());
      return;
    }
    Set<String> keys = new TreeSet<>();
    int asked = 0;
    for (Long seq : outstanding.keySet()) {
      keys.add(Names.taskId(jobId, seq));
      if (keys.size() == 1_000) {
        results.getAll(keys).values().forEach(result -> inbox.add(new Arrived(result)));
        keys.clear();
      }
      if (++asked >= limit) {
        break;
      }
    }
    if (!keys.isEmpty()) {
      results.getAll(keys).values().forEach(result -> inbox.add(new Arrived(result)));
    }
  }

  /**
   * Where a submission picks up: the next task number, and how many input items earlier tasks
   * already hold.
   */
  private record Resume(long nextSeq, long nextIndex) {
    static final Resume FRESH = new Resume(0, 0);
  }

  /**
   * The stored job, if {@code submitted} asks for the same work; submitting an id twice never
   * queues work twice.
   */
  private static Job adopt(Job existing, Job submitted) {
    if (!existing.task().equals(submitted.task())
        || !existing.params().equals(submitted.params())
        || existing.lane() != submitted.lane()) {
      throw new JobIdTakenException(
          "job '"
              + existing.id()
              + "' already exists with other work (task "
              + existing.task()
              + " on the "
              + existing.lane().id()
              + " lane, params "
              + existing.params().values()
              + "); choose another --job-id");
    }
    if (existing.state() == JobState.CANCELLED || existing.state() == JobState.REFUSED) {
      throw new JobIdTakenException(
          "job '"
              + existing.id()
              + "' was "
              + existing.state().name().toLowerCase(java.util.Locale.ROOT)
              + "; choose another --job-id");
    }
    return existing;
  }

  /**
   * Finds how far an earlier submission of {@code job} got: tasks are stored in order, a batch at a
   * time, and each stays in the task map until its result is recorded, so the highest task number
   * found in the task map and the results is the last one queued.
   */
  private Resume findQueued(Job job) {
    // A task moves from the task map to the results (result first, then the task is deleted):
    // scanning in that
    // order, a task that moves during the scan is still seen.
    TaskChunk last = null;
    for (TaskChunk stored : tasks.values(Predicates.equal("jobId", job.id()))) {
      if (last == null || stored.seq() > last.seq()) {
        last = stored;
      }
    }
    for (TaskResult result : results.values(Predicates.equal("jobId", job.id()))) {
      if (last == null || result.seq() > last.seq()) {
        last =
            new TaskChunk(job.id(), result.seq(), result.firstIndex(), result.count(), 0, null, 0);
      }
    }
    return last == null
        ? Resume.FRESH
        : new Resume(last.seq() + 1, last.firstIndex() + last.count());
  }

  private void markDone(String jobId) {
    for (int attempt = 0; attempt < 100; attempt++) {
      Job current = jobs.get(jobId);
      if (current == null || current.state().isFinal()) {
        return;
      }
      if (jobs.replace(jobId, current, current.withState(JobState.DONE))) {
        return;
      }
    }
  }

  private static JobRefusedException refusal(Job job) {
    return new JobRefusedException(
        "the workers refused job "
            + job.id()
            + ": its signature does not match their cluster secret"
            + (job.signature().isEmpty()
                ? " (it was sent unsigned: set CREW_SECRET or --secret-file)"
                : "")
            + "; none of its items ran");
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  private static IOException asIo(Exception e) {
    return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
  }
}
