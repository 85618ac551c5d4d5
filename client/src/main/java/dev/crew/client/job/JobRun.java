package dev.crew.client.job;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import dev.crew.common.ClusterValues;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobSigner;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Redo;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.LedgerLayout;
import dev.crew.common.ledger.TaskLedger;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job from the submitting side: stores its tasks in the task ledger from a streamed input
 * while results stream back.
 *
 * <p>The producer (its own thread) reads the input, cuts it into tasks with the {@link
 * ChunkPlanner} and stores them in the ledger; a window of tasks and items in flight ({@link
 * InFlight}) makes it wait when the cluster is behind, so memory stays flat however large the
 * input. The consumer (the calling thread) reads the job's recorded results from the ledger, hands
 * each task's results on exactly once, archives what stays of them in the results map and then
 * settles them in the ledger; when the ledger has nothing, it waits a little longer each time
 * ({@link IdleBackoff}) while still answering the job's events at once.
 */
public final class JobRun {
  private static final Logger log = LoggerFactory.getLogger(JobRun.class);

  /**
   * Items queued or running at once; bounds the memory of results held back for {@code --ordered}.
   */
  static final int ITEM_WINDOW = 200_000;

  /** Most tasks of one job stored and not yet handed on, however many slots the lane has. */
  static final int MAX_TASK_WINDOW = 10_000;

  /** How long a run that ends waits for its producer's store in flight. */
  private static final Duration PRODUCER_STOP = Duration.ofSeconds(5);

  /** Measured work in flight per slot the task window allows: enough to hide a round trip. */
  static final Duration WINDOW_WORK = Duration.ofMillis(50);

  private static final int MAX_BATCH = 256;

  /** Most results read from the ledger at once: one archive write and one settle per batch. */
  private static final int PENDING_BATCH = 512;

  /**
   * Items one read from the ledger asks for, at most: results are read whole, so a batch of 512
   * tasks of 10,000 items each would hold millions of values at once.
   */
  private static final int PENDING_ITEMS = 20_000;

  /** Tasks of the first read, before any task's size is known. */
  private static final int FIRST_PENDING_BATCH = 16;

  /** Results a detached run peeks at (without reading them) to learn item times from. */
  private static final int PEEK = 8;

  /**
   * The changes to its job a run is told of: only those it acts on. Its own updates (queued, done)
   * reached it as it stopped listening, and Hazelcast's client logged a warning for each event that
   * found no listener.
   */
  static final Predicate<String, Job> ACTED_ON =
      Predicates.in("state", JobState.CANCELLED.name(), JobState.REFUSED.name());

  private static final Duration IDLE_CHECK = Duration.ofSeconds(1);

  /**
   * How many results a read that found some waits for before the next, at the rate they came lately
   * ({@link ReadPace}); it waits at most the idle reader's longest wait ({@link #MAX_IDLE_WAIT}),
   * so a result is never kept waiting longer than when nothing came before it.
   */
  private static final int READ_BATCH = 32;

  private static final Duration FIRST_IDLE_WAIT = Duration.ofNanos(500_000);
  private static final Duration MAX_IDLE_WAIT = Duration.ofMillis(10);

  /**
   * How long a reader waits at most between looks while its job is young and nothing came yet: the
   * first result of a short job came 13 ms after it was recorded, on a loaded 2-core machine, when
   * the reader's waits had doubled to 8 and 10 ms before it.
   */
  private static final Duration FIRST_RESULT_MAX_WAIT = Duration.ofMillis(1);

  /** How long after its start a job counts as young, for {@link #FIRST_RESULT_MAX_WAIT}. */
  private static final Duration YOUNG = Duration.ofMillis(200);

  /** A detached run polls tallies, each a scan of the ledger: it can afford to be slower. */
  private static final Duration MAX_DETACHED_WAIT = Duration.ofMillis(100);

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
   * @param broadcastTo for a broadcast job, the workers that each run every item (every task is
   *     stored once per worker, for that worker alone); empty for a job whose items run once
   */
  public record Options(
      boolean detach,
      boolean keepResults,
      int slots,
      JobSigner signer,
      long keepLimitBytes,
      List<Target> broadcastTo) {
    public Options {
      broadcastTo = List.copyOf(broadcastTo);
    }

    public Options(boolean detach, boolean keepResults) {
      this(detach, keepResults, MAX_TASK_WINDOW, null);
    }

    /** Options that keep every delivered result when {@code keepResults}. */
    public Options(boolean detach, boolean keepResults, int slots, JobSigner signer) {
      this(detach, keepResults, slots, signer, Long.MAX_VALUE);
    }

    /** Options of a job whose items run once. */
    public Options(
        boolean detach, boolean keepResults, int slots, JobSigner signer, long keepLimitBytes) {
      this(detach, keepResults, slots, signer, keepLimitBytes, List.of());
    }

    int taskWindow() {
      return (int) Math.max(64, Math.min(MAX_TASK_WINDOW, 8L * slots));
    }

    /**
     * The task window once tasks are measured to take {@code nanosPerTask} each: about {@link
     * #WINDOW_WORK} of work per slot, so tiny tasks keep the pipeline full, never less than {@link
     * #taskWindow()} nor more than {@link #MAX_TASK_WINDOW}.
     */
    int taskWindow(double nanosPerTask) {
      double perSlot = WINDOW_WORK.toNanos() / Math.max(1, nanosPerTask);
      return (int) Math.clamp((long) (perSlot * slots), taskWindow(), MAX_TASK_WINDOW);
    }
  }

  /**
   * A worker a broadcast job runs on.
   *
   * @param member its member's UUID: only that member claims its tasks
   * @param worker its name, {@code host:port}
   */
  public record Target(String member, String worker) {}

  private sealed interface Event {}

  /** A result read from the archive: handed on by an earlier submission, or moved there. */
  private record Arrived(TaskResult result) implements Event {}

  private record Queued(long items, long tasks) implements Event {}

  private record ProducerFailed(Exception error) implements Event {}

  private record Cancelled() implements Event {}

  private record Refused() implements Event {}

  private final IMap<String, Job> jobs;
  private final IMap<String, TaskResult> results;
  private final TaskLedger ledger;
  private final ResultArchive archive;
  private final BlockingQueue<Event> inbox = new LinkedBlockingQueue<>();
  private InFlight inFlight = new InFlight(MAX_TASK_WINDOW, ITEM_WINDOW);
  private volatile boolean stopped;

  /**
   * Whether the ledger may hold tasks of the job: the consumer reads it only then, so that a fresh
   * job's first store is not kept waiting by a search for blocks of earlier submissions.
   */
  private volatile boolean stored;

  private JobSigner signer;

  /** The lane tasks are stored on: the job's, until a lane probe chooses another. */
  private volatile Lane storeLane = Lane.CPU;

  private @Nullable LaneProbe probe;
  private List<Target> broadcastTo = List.of();
  private long forgedDropped;

  public JobRun(HazelcastInstance hazelcast) {
    this(hazelcast, ledgerOf(hazelcast));
  }

  public JobRun(HazelcastInstance hazelcast, TaskLedger ledger) {
    this.jobs = hazelcast.getMap(Names.JOBS);
    this.results = hazelcast.getMap(Names.RESULTS);
    this.ledger = ledger;
    this.archive = new ResultArchive(hazelcast, ledger);
  }

  /** The ledger as a submitter uses it: it never claims, so the claim timeout is never read. */
  public static TaskLedger ledgerOf(HazelcastInstance hazelcast) {
    return new HazelcastTaskLedger(
        hazelcast, LedgerLayout.DEFAULT, Duration.ofSeconds(15), System::currentTimeMillis);
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
    return run(job, source, planner, handler, progress, options, Optional.empty());
  }

  /**
   * Runs {@code job} over {@code source} like {@link #run(Job, ItemSource, ChunkPlanner,
   * ResultHandler, Progress, Options)}; with a {@code laneProbe}, its first tasks run on the probe
   * lane (the job's own, as stored) and the rest on the lane their measurement chooses. A job taken
   * up again, or a broadcast, stays on its stored lane.
   */
  public Outcome run(
      Job job,
      ItemSource source,
      ChunkPlanner planner,
      ResultHandler handler,
      Progress progress,
      Options options,
      Optional<LaneProbe> laneProbe)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    inFlight = new InFlight(options.taskWindow(), ITEM_WINDOW);
    signer = options.signer();
    broadcastTo = options.broadcastTo();
    if (signer != null) {
      job = job.withSignature(signer.sign(job));
    }
    // Raw: whatever is stored under the id, a job or not.
    @SuppressWarnings("unchecked")
    IMap<String, Object> raw = (IMap<String, Object>) (IMap<String, ?>) jobs;
    Object existing;
    try {
      existing = raw.putIfAbsent(job.id(), job);
    } catch (RuntimeException e) {
      Job fresh = job;
      existing = Redo.after(e, () -> raw.putIfAbsent(fresh.id(), fresh));
      if (fresh.equals(existing)) {
        existing = null; // the write that failed did land: this run's own job, not an earlier one
      }
    }
    if (existing != null && !(existing instanceof Job)) {
      throw new JobIdTakenException(
          "job '"
              + job.id()
              + "' is taken by an entry that is not a Crew job (put there by someone else);"
              + " choose another --job-id");
    }
    Resume resume = Resume.FRESH;
    if (existing != null && !broadcastTo.isEmpty()) {
      throw new JobIdTakenException(
          "job '"
              + job.id()
              + "' exists already, and a broadcast job is not taken up again (its workers were"
              + " those of its start); choose another --job-id");
    }
    if (existing != null) {
      job = adopt((Job) existing, job, laneProbe.isPresent());
      resume = Resume.find(ledger, results, job.id());
      inFlight.awaitEarlier(resume.nextSeq());
      // The ledger learns which blocks of a job there are on its first read of the job; a store
      // before that would leave it knowing only this run's blocks.
      archive.pending(job.id(), 1);
      stored = true;
    } else {
      ledger.newJob(job.id());
    }
    storeLane = job.lane();
    // A pipeline's blocks hold its stages' lanes from the start: it is not moved by a probe.
    probe =
        existing == null && broadcastTo.isEmpty() && job.then().isEmpty()
            ? laneProbe.orElse(null)
            : null;
    Job signed = job;
    Resume from = resume;
    Thread producer =
        Thread.ofPlatform()
            .name("crew-submit-" + job.id())
            .daemon(true)
            .start(() -> produce(signed, source, planner, from));
    @Nullable UUID jobListener = null;
    try {
      // Registered while the producer stores its first tasks: it costs a round trip to every
      // member, which the first store need not wait for. A cancel before it is in place is seen
      // by the reader's idle check.
      jobListener =
          jobs.addEntryListener(
              (EntryUpdatedListener<String, Job>)
                  e -> {
                    if (e.getValue().forged()) {
                      warnForged(e.getKey()); // changed without the secret: not acted on
                    } else if (e.getValue().state() == JobState.CANCELLED) {
                      stopped = true; // the producer stores nothing more: cancel forgets the job
                      inbox.add(new Cancelled());
                    } else if (e.getValue().state() == JobState.REFUSED) {
                      stopped = true;
                      inbox.add(new Refused());
                    }
                  },
              ACTED_ON,
              job.id(),
              /* includeValue= */ true);
      Outcome outcome;
      if (options.detach()) {
        outcome = awaitQueued(job, producer, planner, started);
      } else {
        // Handed on by earlier submissions: read before the ledger, so a result both archived and
        // still unsettled (its reader died in between) is handed on as archived, once.
        resume.archived().stream().filter(this::genuine).forEach(r -> inbox.add(new Arrived(r)));
        outcome = consume(job, handler, planner, progress, options, started);
      }
      return laneProbe.isPresent()
          ? outcome.withLane(probe != null ? probe.choice() : new LaneChoice(job.lane(), 0, 0))
          : outcome;
    } finally {
      stopped = true;
      producer.interrupt();
      // No store of this run may land after it returns (a cancel that follows would miss it).
      producer.join(PRODUCER_STOP.toMillis());
      if (jobListener != null) {
        jobs.removeEntryListener(jobListener);
      }
      ledger.doneReading(job.id());
    }
  }

  private void produce(Job job, ItemSource source, ChunkPlanner jobPlanner, Resume resume) {
    ChunkPlanner planner = jobPlanner;
    List<TaskChunk> batch = new ArrayList<>();
    int batchLimit = 1;
    long seq = resume.nextSeq();
    try {
      if (job.totalsKnown()) {
        // An earlier submission stored everything: nothing to add, only results to collect.
        inbox.add(new Queued(job.totalItems(), job.totalTasks()));
        return;
      }
      for (long skip = resume.nextIndex(); skip > 0 && !stopped; ) {
        TaskChunk storedBefore = source.next(job.id(), 0, (int) Math.min(skip, 65_536));
        if (storedBefore == null) {
          break;
        }
        skip -= storedBefore.count();
      }
      while (!stopped) {
        int size;
        if (probe != null && probe.nextIsProbe()) {
          size = 1;
        } else {
          if (probe != null && !probe.chosen()) {
            store(job, batch); // the probes, whose results the choice waits for
            Lane chosen = probe.awaitChoice().lane();
            if (chosen != storeLane) {
              // Workers run a task only on its job's lane: the record moves before its tasks do.
              moveToLane(job.id(), chosen);
              storeLane = chosen;
            }
            planner = probe.plannerFor(chosen, planner);
          }
          if (planner.probing() && !batch.isEmpty()) {
            store(job, batch);
          }
          size = planner.nextSize();
        }
        TaskChunk chunk = source.next(job.id(), seq, size);
        if (chunk == null) {
          break;
        }
        for (TaskChunk task : copies(chunk)) {
          if (signer != null) {
            task = task.withSignature(signer.sign(task));
          }
          inFlight.admit(seq, task.count(), () -> store(job, batch));
          batch.add(task);
          seq++;
          if (batch.size() >= batchLimit) {
            store(job, batch);
            // The first task goes out alone, for the first result's sake; then batches grow to
            // save round trips.
            batchLimit = Math.min(MAX_BATCH, batchLimit * 2);
          }
        }
      }
      store(job, batch);
      if (!stopped) {
        long items = source.read() * Math.max(1, broadcastTo.size());
        long tasks = seq;
        markQueued(job.id(), items, tasks, source.digest().orElse(""));
        stored = true;
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

  /**
   * The tasks that run {@code chunk}'s items: the chunk itself, or for a broadcast job one copy per
   * worker, numbered on from the chunk's own sequence.
   */
  private List<TaskChunk> copies(TaskChunk chunk) {
    if (broadcastTo.isEmpty()) {
      return List.of(chunk);
    }
    List<TaskChunk> copies = new ArrayList<>(broadcastTo.size());
    for (int k = 0; k < broadcastTo.size(); k++) {
      Target target = broadcastTo.get(k);
      copies.add(chunk.forTarget(chunk.seq() + k, target.member(), target.worker()));
    }
    return copies;
  }

  /**
   * Stores the batch's tasks in the ledger, on the job's lane (or the one its probes chose),
   * waiting while that lane is full.
   */
  private void store(Job job, List<TaskChunk> batch) throws InterruptedException {
    if (batch.isEmpty() || stopped) {
      return;
    }
    ledger.store(storeLane, laterLanes(job), List.copyOf(batch));
    batch.clear();
    stored = true;
  }

  private void moveToLane(String jobId, Lane lane) {
    for (int attempt = 0; attempt < 100; attempt++) {
      Job current = storedJob(jobId);
      if (current == null || current.forged()) {
        throw new IllegalStateException("job " + jobId + " is gone: cannot move it to its lane");
      }
      Job moved = current.withLane(lane);
      Job signed = signer != null ? moved.withSignature(signer.sign(moved)) : moved;
      if (current.equals(signed) || Redo.idempotent(() -> jobs.replace(jobId, current, signed))) {
        return;
      }
    }
    throw new IllegalStateException(
        "could not move job " + jobId + " to the " + lane.id() + " lane");
  }

  private void markQueued(String jobId, long items, long tasks, String inputDigest) {
    for (int attempt = 0; attempt < 100; attempt++) {
      Job current = storedJob(jobId);
      if (current == null) {
        return;
      }
      Job queued =
          current.inputDigest().isEmpty()
              ? current.queued(items, tasks).withInputDigest(inputDigest)
              : current.queued(items, tasks);
      // A redone replace that finds its own first attempt there fails, and the next round finds
      // the job queued already.
      if (current.equals(queued) || Redo.idempotent(() -> jobs.replace(jobId, current, queued))) {
        return;
      }
    }
    throw new IllegalStateException("could not record the totals of job " + jobId);
  }

  /**
   * A detached run: stores everything, making room as the ledger's tallies say tasks finished (it
   * reads no result, so it cannot tell which), and learning item times from a peek at the first
   * unread results.
   */
  private Outcome awaitQueued(Job job, Thread producer, ChunkPlanner planner, long started)
      throws IOException, InterruptedException {
    IdleBackoff backoff = new IdleBackoff(FIRST_IDLE_WAIT, MAX_DETACHED_WAIT);
    long finished = 0;
    long learnedUpTo = -1;
    int learned = 0;
    while (true) {
      Event event = inbox.poll(backoff.nextNanos(), TimeUnit.NANOSECONDS);
      if (event == null) {
        if (!stored) {
          continue;
        }
        JobTally tally = ledger.tally(job.id());
        long done = tally.recorded() + tally.consumed();
        if (done > finished) {
          inFlight.handOverOldest(done - finished);
          finished = done;
          backoff.reset();
          // The first unread results stay the first until someone reads them: a few samples.
          if (learned < PEEK) {
            for (TaskResult result : archive.pending(job.id(), PEEK)) {
              if (result.seq() > learnedUpTo) {
                planner.record(result.count(), result.elapsedNanos());
                if (probe != null) {
                  probe.record(result);
                }
                learnedUpTo = result.seq();
                learned++;
              }
            }
          }
        }
        continue;
      }
      switch (event) {
        case Arrived arrived -> {
          // A detached run is sent no results.
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

  /** Tasks to read at once: about {@link #PENDING_ITEMS} items' worth, 1 to 512 tasks. */
  private static int readSize(double itemsPerTask) {
    if (itemsPerTask <= 0) {
      return FIRST_PENDING_BATCH;
    }
    return (int) Math.clamp((long) (PENDING_ITEMS / itemsPerTask), 1, PENDING_BATCH);
  }

  private Outcome consume(
      Job job,
      ResultHandler handler,
      ChunkPlanner planner,
      Progress progress,
      Options options,
      long started)
      throws IOException, InterruptedException {
    Delivery delivery =
        new Delivery(
            inFlight,
            handler,
            planner,
            progress,
            new KeptResults(options.keepResults() ? options.keepLimitBytes() : 0));
    IdleBackoff backoff = new IdleBackoff(FIRST_IDLE_WAIT, MAX_IDLE_WAIT);
    ReadPace pace = new ReadPace(READ_BATCH, MAX_IDLE_WAIT);
    long expectedTasks = -1;
    long wait = 0;
    long idleSince = System.nanoTime();
    List<TaskResult> handedOn = List.of();
    while (expectedTasks < 0 || delivery.tasks() < expectedTasks) {
      Event event = inbox.poll(wait, TimeUnit.NANOSECONDS);
      if (event != null) {
        wait = 0;
        switch (event) {
          case Arrived arrived -> delivery.fromArchive(arrived.result());
          case Queued queued -> {
            expectedTasks = queued.tasks();
            progress.total(queued.items());
          }
          case ProducerFailed producerFailed -> throw asIo(producerFailed.error());
          case Cancelled cancelled -> {
            delivery.archive(archive);
            archive.settle(job.id(), handedOn);
            return delivery.outcome(job.id(), elapsed(started), true);
          }
          case Refused refused -> throw refusal(job);
        }
        continue;
      }
      // The batch handed on last time is settled by the same call that reads the next: after its
      // output and its archive copies, as a reader killed in between must find it again.
      long readAt = System.nanoTime();
      List<TaskResult> read =
          stored
              ? archive.settleThenPending(job.id(), handedOn, readSize(delivery.itemsPerTask()))
              : List.of();
      handedOn = List.of();
      for (TaskResult result : read) {
        delivery.fromLedger(result);
        if (probe != null) {
          probe.record(result);
        }
      }
      delivery.archive(archive);
      handedOn = read;
      if (delivery.nanosPerTask() > 0) {
        inFlight.widenTo(options.taskWindow(delivery.nanosPerTask()));
      }
      if (!read.isEmpty()) {
        backoff.reset();
        idleSince = System.nanoTime();
        wait = pace.afterRead(read.size(), delivery.nanosPerTask(), readAt, idleSince);
        continue;
      }
      if (stored) {
        pace.afterEmptyRead(readAt);
      }
      if (System.nanoTime() - idleSince >= IDLE_CHECK.toNanos()) {
        recover(job.id(), 1_000);
        idleSince = System.nanoTime();
      }
      wait = backoff.nextNanos();
      if (delivery.tasks() == 0 && System.nanoTime() - started < YOUNG.toNanos()) {
        wait = Math.min(wait, FIRST_RESULT_MAX_WAIT.toNanos());
      }
    }
    delivery.archive(archive);
    archive.settle(job.id(), handedOn);
    markDone(job.id());
    return delivery.outcome(job.id(), elapsed(started), false);
  }

  /**
   * What an idle consumer checks once in a while: that the job was not cancelled or refused (in
   * case the listener missed it), and whether results it awaits were moved to the archive by
   * another reader ({@code coordinator results}, at most {@code limit} of them).
   */
  private void recover(String jobId, int limit) {
    Job current = storedJob(jobId);
    if (current != null && current.forged()) {
      warnForged(jobId);
    } else if (current != null && current.state() == JobState.CANCELLED) {
      inbox.add(new Cancelled());
      return;
    }
    if (current != null && !current.forged() && current.state() == JobState.REFUSED) {
      inbox.add(new Refused());
      return;
    }
    Set<String> keys = new TreeSet<>();
    for (long seq : inFlight.awaited()) {
      keys.add(Names.taskId(jobId, seq));
      if (keys.size() >= limit) {
        break;
      }
    }
    if (!keys.isEmpty()) {
      // A value that is not a result, put at one of the job's task ids by someone without the
      // secret, is passed over (taken as a result, it failed the run).
      for (TaskResult result :
          ClusterValues.ofType(TaskResult.class, results.getAll(keys).values())) {
        if (genuine(result)) {
          inbox.add(new Arrived(result));
        }
      }
    }
  }

  private final java.util.concurrent.atomic.AtomicBoolean forgedRecordSaid =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** The job stored under {@code jobId}; null when there is none, or what is there is no job. */
  private @Nullable Job storedJob(String jobId) {
    return JobRecords.asJob(jobId, ((IMap<?, ?>) jobs).get(jobId)).orElse(null);
  }

  /** Says once per run that the job's record was changed by a party without the secret. */
  private void warnForged(String jobId) {
    if (forgedRecordSaid.compareAndSet(false, true)) {
      log.warn(
          "job {}: its record was changed by a party without this cluster's secret; the change is"
              + " ignored",
          jobId);
    }
  }

  /**
   * Whether an archived result opened under the cluster secret; a forged one (made or changed by a
   * party without it) is dropped, and said once per run.
   */
  private boolean genuine(TaskResult result) {
    if (!result.forged()) {
      return true;
    }
    if (forgedDropped++ == 0) {
      log.warn(
          "job {}: dropped result {}: it does not open under this cluster's secret (forged or"
              + " changed by a party without it)",
          result.jobId(),
          result.taskId());
    }
    return false;
  }

  /** The lanes of a pipeline's stages after its first (none for a job of one stage). */
  private static List<Lane> laterLanes(Job job) {
    return job.then().stream().map(dev.crew.common.Stage::lane).toList();
  }

  /**
   * The stored job, if {@code submitted} asks for the same work; submitting an id twice never
   * queues work twice. With {@code laneChosen}, the stored job keeps the lane it has.
   */
  private static Job adopt(Job existing, Job submitted, boolean laneChosen) {
    if (existing.forged()) {
      throw new JobIdTakenException(
          "job '"
              + existing.id()
              + "' is taken by a record not made with this cluster's secret (planted, or changed"
              + " by a party without it); choose another --job-id");
    }
    if (!existing.task().equals(submitted.task())
        || !existing.params().equals(submitted.params())
        || !existing.then().equals(submitted.then())
        // A job whose lane its probes chose is on whichever lane they chose.
        || (!laneChosen && existing.lane() != submitted.lane())) {
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

  private void markDone(String jobId) {
    for (int attempt = 0; attempt < 100; attempt++) {
      Job current = storedJob(jobId);
      if (current == null || current.forged() || current.state().isFinal()) {
        return;
      }
      if (Redo.idempotent(() -> jobs.replace(jobId, current, current.withState(JobState.DONE)))) {
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
