package dev.crew.coordinator.job;

import dev.crew.common.TaskResult;
import java.io.IOException;
import java.util.TreeMap;

/** Hands results on in input order, holding back those that arrive before their predecessors. */
public final class InOrder implements ResultHandler {
  private final ResultHandler next;
  private final TreeMap<Long, TaskResult> early = new TreeMap<>();
  private long expected;

  public InOrder(ResultHandler next) {
    this.next = next;
  }

  @Override
  public void accept(TaskResult result) throws IOException {
    if (result.seq() != expected) {
      early.put(result.seq(), result);
      return;
    }
    next.accept(result);
    expected++;
    for (TaskResult waiting; (waiting = early.remove(expected)) != null; expected++) {
      next.accept(waiting);
    }
  }

  @Override
  public void flush() throws IOException {
    next.flush();
  }

  /** Results held back, waiting for an earlier one. */
  public int waiting() {
    return early.size();
  }
}
