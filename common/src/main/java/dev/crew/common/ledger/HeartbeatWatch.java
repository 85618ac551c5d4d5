package dev.crew.common.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The judge's view of the heartbeat map: which members' heartbeats stood still for the lease
 * timeout, counted only over time the judge actually watched.
 *
 * <p>A heartbeat counts as still only while heartbeats reach the map at all, which the judge's own
 * shows; and time between two reads that lie more than a lease timeout apart is not counted: such a
 * read waited on a partition that could not answer (its owner was cut off), and so, most likely,
 * did the other members' heartbeats to it. The values are compared by whether they changed, on the
 * judge's own clock, so clocks that differ between hosts do not matter.
 */
public final class HeartbeatWatch {
  private final long timeoutNanos;

  /** Per member: the heartbeat value last seen, and when (judge's clock) it was first seen. */
  private final Map<String, Seen> seen = new HashMap<>();

  private long lastRead;
  private boolean watching;

  private record Seen(long beat, long since) {}

  public HeartbeatWatch(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /**
   * Takes in a read of the heartbeat map.
   *
   * @param self the judge's own member
   * @param beats every member's heartbeat now, -1 for one that has none yet
   * @param now when the read returned, on the judge's clock
   * @return the members (never {@code self}) whose heartbeat has not moved for the timeout; each
   *     starts a fresh timeout from here
   */
  public List<String> silent(String self, Map<String, Long> beats, long now) {
    seen.keySet().retainAll(beats.keySet());
    if (watching && now - lastRead > timeoutNanos) {
      seen.replaceAll((member, s) -> new Seen(s.beat(), now));
    }
    watching = true;
    lastRead = now;
    beats.forEach(
        (member, beat) -> {
          Seen before = seen.get(member);
          if (before == null || before.beat() != beat) {
            seen.put(member, new Seen(beat, now));
          }
        });
    Seen own = seen.get(self);
    if (own == null || now - own.since() > timeoutNanos) {
      return List.of(); // this judge's own heartbeats do not arrive: silence proves nothing yet
    }
    List<String> silent = new ArrayList<>();
    for (Map.Entry<String, Seen> member : seen.entrySet()) {
      if (!member.getKey().equals(self) && now - member.getValue().since() > timeoutNanos) {
        silent.add(member.getKey());
      }
    }
    silent.forEach(seen::remove);
    return silent;
  }

  /**
   * Forgets everything seen: another member judges, and this one starts afresh if it takes over.
   */
  public void forget() {
    seen.clear();
    watching = false;
  }
}
