package dev.crew.worker;

import com.netflix.concurrency.limits.Limit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A limit moved by hand that records every sample it is fed. */
final class RecordingLimit implements Limit {
  record Sample(long start, long rtt, int inFlight, boolean dropped) {}

  final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final List<Consumer<Integer>> listeners = new CopyOnWriteArrayList<>();
  private volatile int limit;

  RecordingLimit(int limit) {
    this.limit = limit;
  }

  void set(int next) {
    limit = next;
    listeners.forEach(listener -> listener.accept(next));
  }

  @Override
  public int getLimit() {
    return limit;
  }

  @Override
  public void notifyOnChange(Consumer<Integer> consumer) {
    listeners.add(consumer);
  }

  @Override
  public void onSample(long startTime, long rtt, int inflight, boolean didDrop) {
    samples.add(new Sample(startTime, rtt, inflight, didDrop));
  }
}
