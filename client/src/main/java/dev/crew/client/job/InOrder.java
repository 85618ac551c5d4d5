package dev.crew.client.job;

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
    drain();
  }

  @Override
  public void skip(long seq) throws IOException {
    if (seq != expected) {
      early.put(seq, null);
      return;
    }
    expected++;
    drain();
  }

  private void drain() throws IOException {
    while (early.containsKey(expected)) {
      TaskResult waiting = early.remove(expected);
      if (waiting != null) {
        next.accept(waiting);
      }
      expected++;
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
