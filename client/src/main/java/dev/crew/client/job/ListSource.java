package dev.crew.client.job;

import dev.crew.common.TaskChunk;
import java.util.Iterator;
import java.util.List;

/** Items picked out of an earlier job, each keeping its index there: the input of {@code retry}. */
public final class ListSource implements ItemSource {

  /**
   * One item and its position in the original input; {@code number} when it came from a range, else
   * text.
   */
  public record Picked(long index, String text, Long number) {}

  private final List<Picked> picked;
  private final Iterator<Picked> next;
  private long read;

  public ListSource(List<Picked> picked) {
    this.picked = List.copyOf(picked);
    this.next = this.picked.iterator();
  }

  @Override
  public long total() {
    return picked.size();
  }

  /**
   * One item per task, whatever {@code max}: the items are not consecutive, and each keeps its own
   * index.
   */
  @Override
  public TaskChunk next(String jobId, long seq, int max) {
    if (!next.hasNext()) {
      return null;
    }
    Picked item = next.next();
    read++;
    return item.number() != null
        ? TaskChunk.ofRange(jobId, seq, item.index(), item.number(), 1)
        : TaskChunk.ofItems(jobId, seq, item.index(), new String[] {item.text()});
  }

  @Override
  public long read() {
    return read;
  }

  @Override
  public void close() {}
}
