package dev.crew.worker;

import dev.crew.common.ItemFunction;
import dev.crew.common.ResultJson;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.tasks.HttpGetTask;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task being run: runs its items under the job's retries and time limit, collects a value or an
 * error per item in any order and from any thread, and records the task's result when its last item
 * is settled.
 *
 * <p>Each item is settled exactly once, by whoever gets there first: the thread that ran it, or the
 * watchdog that gave up on a thread stuck in it. A thread that comes back from an item the watchdog
 * already settled stops there: the rest of its work, and its lane slot, were handed on when it was
 * given up on.
 */
final class ChunkRun {
  private static final Logger log = LoggerFactory.getLogger(ChunkRun.class);
  private static final AtomicLong abandonedThreads = new AtomicLong();

  private final TaskChunk chunk;
  private final Binding binding;
  private final ResultSink sink;
  private final String worker;
  private final LongSupplier nanoTime;
  private final Watchdog watchdog;
  private final Backoff backoff;
  private final String[] values;
  private final String[] errors;
  private final AtomicIntegerArray settled;
  private final AtomicInteger remaining;
  private final AtomicLong busyNanos = new AtomicLong();

  /** Per item, whether a try of it showed overload: written and read by the thread that runs it. */
  private final boolean[] overloaded;

  /** Per item, whether a try of it got a value (an overload sign or not); as above. */
  private final boolean[] answered;

  /**
   * The I/O lane's limits per key, or null where items wait for none (the CPU lane, a fixed one).
   */
  private final @Nullable KeyLimits keys;

  /**
   * Per item, how long its tries waited for a pass of their key: written by the thread that runs
   * it.
   */
  private final long @Nullable [] waited;

  /**
   * Per item, the thread running it now, for {@link #cancel} to interrupt: a write before and after
   * each item, where a concurrent set cost a no-op item more than the item itself.
   */
  private final AtomicReferenceArray<Thread> runningOn;

  private volatile boolean cancelled;

  /**
   * For one of a job's first tasks ({@link TaskResult#MEASURED_TASKS}), the platform thread running
   * its items in order (the CPU lane), and its {@link CpuClock} when it started them: read once
   * more when the last item settles on that thread. A virtual thread (the I/O lane) has no count of
   * its own to read.
   */
  private volatile @Nullable Thread cpuThread;

  private long cpuFrom = -1;

  /**
   * Where the item before ended, when it got a value and items run one after another on one thread
   * (the CPU lane without a time limit): the next item's start. -1 otherwise. Read and written by
   * that thread alone.
   */
  private long chainedStart = -1;

  /**
   * The thread running this task's items one after another (the CPU lane without a time limit), for
   * {@link #cancel} to interrupt, or null: set once for all the items, where {@link #runningOn} is
   * written before and after each.
   */
  private volatile @Nullable Thread chainThread;

  /** Held to interrupt {@link #chainThread}, and to clear it: no interrupt comes after that. */
  private final Object chainLock = new Object();

  ChunkRun(
      TaskChunk chunk, Binding binding, ResultSink sink, String worker, LongSupplier nanoTime) {
    this(chunk, binding, sink, worker, nanoTime, null, Backoff.DEFAULT, null);
  }

  /**
   * @param watchdog enforces the policy's time limit; required when the binding has one
   * @param keys the limits per key each try of an item waits for a pass of before it runs (its time
   *     limit starts after that wait), or null for none
   */
  ChunkRun(
      TaskChunk chunk,
      Binding binding,
      ResultSink sink,
      String worker,
      LongSupplier nanoTime,
      Watchdog watchdog,
      Backoff backoff,
      @Nullable KeyLimits keys) {
    this.chunk = chunk;
    this.binding = binding;
    this.sink = sink;
    this.worker = worker;
    this.nanoTime = nanoTime;
    this.watchdog = watchdog;
    this.backoff = backoff;
    this.values = new String[chunk.count()];
    this.errors = new String[chunk.count()];
    this.settled = new AtomicIntegerArray(chunk.count());
    this.remaining = new AtomicInteger(chunk.count());
    this.runningOn = new AtomicReferenceArray<>(chunk.count());
    this.overloaded = new boolean[chunk.count()];
    this.answered = new boolean[chunk.count()];
    this.keys = keys;
    this.waited = keys == null ? null : new long[chunk.count()];
  }

  /** What the I/O lane hears when an item is done with its slot. */
  @FunctionalInterface
  interface ItemEnd {
    void ended(Sign sign);
  }

  /** How an item's run ended, as the limits it ran under read it. */
  enum Sign {
    /** It got a value: its round trip measures whoever it called. */
    ANSWERED,
    /** It timed out, or whoever it called asked it to slow down (429, 503). */
    OVERLOADED,
    /**
     * It failed otherwise (a refused connection, an error it threw, a cancel): its round trip says
     * nothing of load, and is not measured.
     */
    FAILED
  }

  /**
   * Whether an item's value is an overload sign: an HTTP 429 (too many requests) or 503 (service
   * unavailable), which a GET records as a result rather than a failure.
   */
  static boolean overloadSign(Object value) {
    return value instanceof HttpGetTask.Fetch fetch
        && (fetch.status() == 429 || fetch.status() == 503);
  }

  TaskChunk chunk() {
    return chunk;
  }

  /**
   * How long item {@code i}'s tries have waited for a pass of their key so far; read by the thread
   * that ran it, when it ends.
   */
  long waitedNanos(int i) {
    return waited == null ? 0 : waited[i];
  }

  /**
   * Stops this task because its job was cancelled: items running now are interrupted, no further
   * item starts, and no result is recorded.
   */
  void cancel() {
    cancelled = true;
    synchronized (chainLock) {
      Thread chained = chainThread;
      if (chained != null) {
        chained.interrupt();
      }
    }
    for (int i = 0; i < runningOn.length(); i++) {
      Thread thread = runningOn.get(i);
      if (thread != null) {
        thread.interrupt();
      }
    }
  }

  boolean cancelled() {
    return cancelled;
  }

  /** Threads given up on because an item ignored its interrupt, since this worker started. */
  static long abandonedThreads() {
    return abandonedThreads.get();
  }

  /**
   * Runs item {@code i} on the calling thread; records the task's result if this was its last item.
   */
  void runItem(int i) throws InterruptedException {
    runOne(i, sign -> {});
  }

  /** Runs every item in order on the calling thread. */
  void runAll() throws InterruptedException {
    runFrom(0, () -> {}, Runnable::run);
  }

  /**
   * Runs item {@code i} (the I/O lane: one item per slot), then tells {@code end} how it ended; if
   * the item is given up on, {@code end} hears of it at that moment instead, as overloaded.
   */
  void runOne(int i, ItemEnd end) throws InterruptedException {
    AtomicBoolean ended = new AtomicBoolean();
    AtomicBoolean abandoned = new AtomicBoolean();
    try {
      run(
          i,
          () -> {
            abandoned.set(true);
            if (ended.compareAndSet(false, true)) {
              end.ended(Sign.OVERLOADED);
            }
          });
    } finally {
      if (!abandoned.get() && ended.compareAndSet(false, true)) {
        end.ended(overloaded[i] ? Sign.OVERLOADED : answered[i] ? Sign.ANSWERED : Sign.FAILED);
      }
    }
  }

  /**
   * Runs items {@code from..count-1} in order (the CPU lane: a task holds one slot), then releases
   * the slot. If an item is given up on, the remaining items go on in a new thread from {@code
   * spawn}, which takes over the slot.
   */
  void runFrom(int from, Runnable releaseSlot, Executor spawn) throws InterruptedException {
    Runnable release = once(releaseSlot);
    // A thread that takes over after an item was given up on measures from there on.
    if (chunk.seq() < TaskResult.MEASURED_TASKS) {
      cpuFrom = CpuClock.nanos();
      cpuThread = Thread.currentThread();
    }
    if (chunk.count() == 0) {
      try {
        sink.record(TaskResult.of(chunk, worker, 0, values, errors));
      } finally {
        release.run(); // also when interrupted while recording: the slot is free either way
      }
      return;
    }
    if (!mayAbandon()) {
      // No item can be given up on (no time limit): the same loop without the hand-over each
      // item would otherwise carry, a cost of its own next to a no-op item.
      // Named once for cancel() to interrupt, not before and after each item.
      chainThread = Thread.currentThread();
      try {
        for (int i = from; i < chunk.count() && !cancelled; i++) {
          run(i, NO_HAND_OVER, /* chain= */ true);
        }
      } finally {
        synchronized (chainLock) {
          chainThread = null;
        }
        if (cancelled) {
          // A cancel's interrupt may have come between items or after the last: it is not for
          // this thread's next task. None comes after the line above.
          Thread.interrupted();
        }
        release.run();
      }
      return;
    }
    for (int i = from; i < chunk.count(); i++) {
      if (cancelled) {
        break;
      }
      int next = i + 1;
      AtomicBoolean abandoned = new AtomicBoolean();
      try {
        run(
            i,
            () -> {
              abandoned.set(true);
              spawn.execute(() -> continueFrom(next, release, spawn));
            });
      } catch (InterruptedException | RuntimeException | Error e) {
        if (!abandoned.get()) {
          release.run();
        }
        throw e;
      }
      if (abandoned.get()) {
        return; // the rest of this task, and its slot, went on in another thread
      }
    }
    release.run();
  }

  private static final Runnable NO_HAND_OVER =
      () -> {
        throw new IllegalStateException("an item without a time limit is never given up on");
      };

  /** Whether the watchdog may give up on an item of this task: only under a time limit. */
  private boolean mayAbandon() {
    return binding instanceof Binding.Run run && run.policy().limited();
  }

  private void continueFrom(int from, Runnable release, Executor spawn) {
    try {
      runFrom(from, release, spawn);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Settles item {@code i}: by running it, or with the binding's refusal. */
  private void run(int i, Runnable onAbandon) throws InterruptedException {
    run(i, onAbandon, /* chain= */ false);
  }

  /**
   * Settles item {@code i}: by running it, or with the binding's refusal. With {@code chain} (items
   * run one after another on this thread), a run that got a value ends where the next one starts,
   * on one reading of the clock rather than two ({@link #chainedStart}).
   */
  private void run(int i, Runnable onAbandon, boolean chain) throws InterruptedException {
    if (chunk.carriedFailure(i)) {
      // Failed at a stage before this one of its pipeline: its error is its result here too.
      settle(i, null, chunk.carried()[i], 0);
      return;
    }
    switch (binding) {
      case Binding.Run run -> attempt(i, run, onAbandon, chain);
      case Binding.Refuse refuse -> settle(i, null, refuse.error(), 0);
      case Binding.Elsewhere elsewhere -> settle(i, null, elsewhere.error(), 0);
      case Binding.Drop drop ->
          throw new IllegalStateException("a dropped task is never run: " + drop.reason());
      case Binding.Replay replay ->
          throw new IllegalStateException("a replayed task is never run: " + replay.reason());
    }
  }

  private void attempt(int i, Binding.Run run, Runnable onAbandon, boolean chain)
      throws InterruptedException {
    ItemFunction function = run.function();
    ItemPolicy policy = run.policy();
    String item = chunk.item(i);
    String error = null;
    int tries = 0;
    for (; tries <= policy.retries(); tries++) {
      if (tries > 0) {
        Thread.sleep(backoff.delay(tries).toMillis());
      }
      if (cancelled) {
        return;
      }
      KeyLimits.Pass pass = keys == null ? null : enter(i, run, item);
      if (cancelled) {
        if (pass != null) {
          pass.exit(/* overloaded= */ false);
        }
        return;
      }
      boolean overloadedBefore = overloaded[i];
      overloaded[i] = false; // this try's sign, for its key; the item's is restored below
      boolean answeredNow = false;
      Watchdog.Watch watch =
          policy.limited()
              ? watchdog.watch(
                  Thread.currentThread(),
                  policy.timeout(),
                  () -> giveUp(i, policy.timeout(), onAbandon, pass))
              : null;
      long start = chain && chainedStart >= 0 ? chainedStart : nanoTime.getAsLong();
      if (chain) {
        chainedStart = -1;
      } else {
        runningOn.set(i, Thread.currentThread());
      }
      try {
        if (cancelled) {
          if (watch != null) {
            watch.done();
          }
          return; // cancelled after the check above, which may have missed this thread
        }
        Object result = function.apply(item);
        answeredNow = true;
        answered[i] = true;
        if (overloadSign(result)) {
          overloaded[i] = true;
        }
        String value = ResultJson.render(result);
        if (watch != null) {
          watch.done();
        }
        long end = nanoTime.getAsLong();
        settle(i, value, null, end - start);
        if (chain) {
          chainedStart = end;
        }
        return;
      } catch (InterruptedException e) {
        boolean timedOut = watch != null && watch.done();
        if (cancelled) {
          Thread.interrupted();
          return; // the job was cancelled: nothing more to record
        }
        if (!timedOut) {
          throw e; // not our time limit: the worker is stopping
        }
        overloaded[i] = true;
        error = timedOut(policy.timeout());
      } catch (VirtualMachineError e) {
        if (!(e instanceof StackOverflowError)) {
          throw e; // out of memory or an internal JVM error: this worker cannot go on safely
        }
        error = describe(i, e, watch != null && watch.done(), policy);
      } catch (IllegalArgumentException e) {
        // A bad item stays bad: no point in trying it again.
        boolean timedOut = watch != null && watch.done();
        error = describe(i, e, timedOut, policy);
        if (!timedOut) {
          tries++;
          busyNanos.addAndGet(nanoTime.getAsLong() - start);
          break;
        }
      } catch (Throwable e) {
        // Anything else an item throws (a plugin's missing class, an assertion) is that item's
        // error alone.
        error = describe(i, e, watch != null && watch.done(), policy);
      } finally {
        if (!chain) {
          runningOn.lazySet(i, null);
        }
        if (pass != null) {
          if (answeredNow || overloaded[i]) {
            pass.exit(overloaded[i]);
          } else {
            pass.exitUnmeasured();
          }
        }
        overloaded[i] |= overloadedBefore;
      }
      if (cancelled) {
        Thread.interrupted();
        return;
      }
      busyNanos.addAndGet(nanoTime.getAsLong() - start);
      if (isSettled(i)) {
        return; // given up on by the watchdog while it ran; its thread is no longer ours
      }
    }
    settle(i, null, tries > 1 ? error + " (after " + tries + " tries)" : error, 0);
  }

  /** Waits for item {@code i}'s pass of its key; null if the job was cancelled while it waited. */
  private KeyLimits.@Nullable Pass enter(int i, Binding.Run run, String item)
      throws InterruptedException {
    runningOn.set(i, Thread.currentThread());
    try {
      KeyLimits.Pass pass = keys.enter(run.limitKey(item), chunk.jobId());
      waited[i] += pass.waitedNanos();
      return pass;
    } catch (InterruptedException e) {
      if (cancelled) {
        Thread.interrupted();
        return null;
      }
      throw e; // not a cancel: the worker is stopping
    } finally {
      runningOn.lazySet(i, null);
    }
  }

  /** Describes what item {@code i} threw; notes a timeout, ours or its own, as overload. */
  private String describe(int i, Throwable e, boolean ours, ItemPolicy policy) {
    if (ours || timeoutSign(e)) {
      overloaded[i] = true;
    }
    return ours ? timedOut(policy.timeout()) : Outcomes.describe(e);
  }

  /** Whether an item's exception says that whoever it called took too long to answer. */
  static boolean timeoutSign(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof java.net.http.HttpTimeoutException
          || t instanceof java.net.SocketTimeoutException
          || t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static String timedOut(Duration timeout) {
    return "timed out after " + Outcomes.duration(timeout);
  }

  /**
   * Called by the watchdog: the item ignored its interrupt. Fail it without retrying and move the
   * lane on.
   */
  private void giveUp(int i, Duration timeout, Runnable onAbandon, KeyLimits.@Nullable Pass pass) {
    if (settle(
        i, null, timedOut(timeout) + " and ignored the interrupt; its thread was abandoned", 0)) {
      long total = abandonedThreads.incrementAndGet();
      log.warn(
          "item {} of task {} ran past its {} limit and ignored the interrupt: recorded as failed; its thread is"
              + " abandoned and the lane goes on without it ({} abandoned so far)",
          chunk.firstIndex() + i,
          chunk.taskId(),
          Outcomes.duration(timeout),
          total);
      if (pass != null) {
        pass.abandon();
      }
      onAbandon.run();
    }
  }

  private boolean isSettled(int i) {
    return settled.get(i) == 1;
  }

  /**
   * Settles item {@code i} once; records the task's result when it was the last. Returns false if
   * already settled.
   */
  private boolean settle(int i, String value, String error, long nanos) {
    if (cancelled || !settled.compareAndSet(i, 0, 1)) {
      return false;
    }
    values[i] = value;
    errors[i] = error;
    busyNanos.addAndGet(nanos);
    if (remaining.decrementAndGet() == 0) {
      // The decrement publishes every other thread's writes to values and errors to this one.
      try {
        sink.record(
            TaskResult.of(chunk, worker, busyNanos.get(), values, errors).withCpuNanos(cpuNanos()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return true;
  }

  /**
   * The time this task's thread spent on a CPU or ready for one ({@link CpuClock}), or 0 where it
   * cannot be read.
   */
  private long cpuNanos() {
    if (Thread.currentThread() != cpuThread || cpuFrom < 0) {
      return 0; // settled by the watchdog, or run on the I/O lane
    }
    long now = CpuClock.nanos();
    return now < 0 ? 0 : Math.max(0, now - cpuFrom);
  }

  private static Runnable once(Runnable action) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        action.run();
      }
    };
  }
}
