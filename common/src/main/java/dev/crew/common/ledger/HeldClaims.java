package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claims one worker holds: tasks it claimed from the ledger and has not yet recorded, handed
 * back or let go. The lease reaper reads them to tell its own running claims from ones whose answer
 * never reached it ({@link Loss.ClaimsExpired}).
 *
 * <p>Safe for use by many threads: lanes claim, runs record and hand-backs complete concurrently.
 */
public final class HeldClaims {
  private static final Logger log = LoggerFactory.getLogger(HeldClaims.class);

  private final TaskLedger ledger;
  private final Supplier<Claimant> claimant;
  private final BiConsumer<Duration, Runnable> later;
  private final Map<String, TaskChunk> held = new ConcurrentHashMap<>();

  /**
   * @param claimant who claims, read at each claim (a member's uuid changes when it rejoins)
   * @param later runs an action after a delay, off the caller's thread
   */
  public HeldClaims(
      TaskLedger ledger, Supplier<Claimant> claimant, BiConsumer<Duration, Runnable> later) {
    this.ledger = requireNonNull(ledger, "ledger");
    this.claimant = requireNonNull(claimant, "claimant");
    this.later = requireNonNull(later, "later");
  }

  /** Claims up to {@code max} queued tasks of {@code lane}, as {@link TaskLedger#claim} does. */
  public List<TaskChunk> claim(Lane lane, int max, Duration wait) throws InterruptedException {
    List<TaskChunk> claimed = ledger.claim(lane, claimant.get(), max, wait);
    for (TaskChunk task : claimed) {
      held.put(task.taskId(), task);
    }
    return claimed;
  }

  /** The task's result was handed to the ledger, or its run was stopped: it is no longer held. */
  public void done(String taskId) {
    held.remove(taskId);
  }

  /**
   * As {@link #done(String)}, for the run of the task at pipeline stage {@code stage} only: its
   * result may already have moved the task on to its next stage, claimed here again meanwhile, and
   * that claim stays held.
   */
  public void done(String taskId, int stage) {
    held.computeIfPresent(taskId, (id, task) -> task.stage() == stage ? null : task);
  }

  /**
   * Hands the claim on {@code task} back after {@code delay}, the same attempt queued again, so a
   * worker that will not run it does not take it again at once. Held until then: should this worker
   * die in between, its claims are put back when it leaves.
   */
  public void handBackAfter(TaskChunk task, Duration delay) {
    later.accept(
        delay,
        () -> {
          try {
            ledger.release(claimant.get(), List.of(task));
          } catch (RuntimeException e) {
            log.debug(
                "could not hand task {} back (it goes back when its claim expires): {}",
                task.taskId(),
                e.toString());
          } finally {
            held.remove(task.taskId());
          }
        });
  }

  /**
   * Lets go of a task that will not run anywhere: its job is cancelled, refused or gone, or the
   * task is not signed. The blocks of a job nobody waits for are forgotten at once; otherwise the
   * claim, no longer held, goes back when its deadline passes.
   *
   * @param job the task's job record as the cluster holds it now (null when it holds none; any
   *     other value is not a job: someone else put it there, and it says nothing)
   */
  public void letGo(TaskChunk task, @Nullable Object job) {
    held.remove(task.taskId());
    if (job instanceof Job known && !awaited(known)) {
      ledger.forget(known.id());
    }
  }

  /** The ids of the tasks held now. */
  public Set<String> taskIds() {
    return Set.copyOf(held.keySet());
  }

  /**
   * Whether anyone waits for {@code job}'s tasks: not when the cluster holds no such job, nor when
   * it was cancelled or refused. The blocks of a job nobody waits for are forgotten. A forged
   * record (changed by a party without the cluster secret) says nothing: its job is still awaited.
   */
  public static boolean awaited(@Nullable Object record) {
    // A value that is not a job (someone else's) says nothing either: the job may be awaited.
    return record instanceof Job job ? awaited(job) : record != null;
  }

  /** {@link #awaited(Object)} of a job record, or of none. */
  public static boolean awaited(@Nullable Job job) {
    return job != null
        && (job.forged() || job.state() != JobState.CANCELLED && job.state() != JobState.REFUSED);
  }
}
