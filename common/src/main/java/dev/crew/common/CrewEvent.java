package dev.crew.common;

import static java.util.Objects.requireNonNull;

/**
 * A reliability event worth showing to a person: tasks requeued after a worker was lost, a job
 * refused for its signature, a late duplicate result dropped, a job abandoned by its coordinator.
 * Workers and coordinators append them to the {@link Names#EVENTS} ringbuffer.
 *
 * @param count how many tasks (or results) the event is about
 */
public record CrewEvent(long millis, String worker, Kind kind, String detail, int count) {

  /** What happened. */
  public enum Kind {
    REQUEUED,
    REFUSED,
    DUPLICATE_DROPPED,
    /** A coordinator gave up on a job while it was still queuing its input. */
    ABANDONED
  }

  public CrewEvent {
    requireNonNull(worker, "worker");
    requireNonNull(kind, "kind");
    requireNonNull(detail, "detail");
  }
}
