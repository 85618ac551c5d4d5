package dev.crew.common.ledger;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@linkplain TaskLedger#putBack put back} queued again: tasks per worker whose claims they
 * were.
 */
public record PutBacks(Map<String, Integer> byWorker) {
  public PutBacks {
    byWorker = Map.copyOf(byWorker);
  }

  public static final PutBacks NONE = new PutBacks(Map.of());

  public int total() {
    return byWorker.values().stream().mapToInt(Integer::intValue).sum();
  }

  PutBacks plus(Iterable<String> holders) {
    Map<String, Integer> all = new TreeMap<>(byWorker);
    for (String holder : holders) {
      all.merge(holder, 1, Integer::sum);
    }
    return new PutBacks(all);
  }
}
