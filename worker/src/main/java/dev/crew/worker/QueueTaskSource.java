package dev.crew.worker;

import com.hazelcast.collection.IQueue;
import dev.crew.common.TaskChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Takes tasks from a lane's Hazelcast queue: a batch when several are waiting, a blocking poll when none are. */
final class QueueTaskSource implements TaskSource {
  private final IQueue<TaskChunk> queue;

  QueueTaskSource(IQueue<TaskChunk> queue) {
    this.queue = queue;
  }

  @Override
  public List<TaskChunk> take(int max, Duration wait) throws InterruptedException {
    List<TaskChunk> taken = new ArrayList<>(max);
    queue.drainTo(taken, max);
    if (taken.isEmpty()) {
      TaskChunk first = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
      if (first != null) {
        taken.add(first);
      }
    }
    return taken;
  }
}
