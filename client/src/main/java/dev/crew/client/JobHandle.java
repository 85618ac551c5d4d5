package dev.crew.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.stream.Stream;

/**
 * A submitted job: its results as they arrive, its end, its progress, and a way to stop it.
 *
 * <p>Results wait for the program in a bounded buffer. While it is full, the client stops reading
 * results from the cluster and, a little later, stops queuing input: the job slows to the pace of
 * the program's reading, and memory stays flat. A program that does not want the results submits
 * with {@link JobSpec.Builder#discardResults()} or a reduction, or cancels.
 */
public interface JobHandle {

  /**
   * The job's id.
   *
   * @return the id given in the spec, or a fresh one such as {@code fib-3k9x2a}
   */
  String id();

  /**
   * The item results as they arrive, in input order if the spec asked for it. The stream ends when
   * every item has a result or the job is cancelled; if the job fails, reading on throws a {@link
   * CrewClientException}. Use either this or {@link #publisher()}, once.
   *
   * @return a stream that blocks while it waits for the next result
   * @throws IllegalStateException if the results were asked for already, or the spec discards them
   */
  Stream<ItemResult> results();

  /**
   * The item results as a {@link Flow.Publisher}, for one subscriber, which sets the pace with its
   * requests; once it cancels its subscription, results are only counted. Use either this or {@link
   * #results()}, once.
   *
   * @return a publisher of the results
   * @throws IllegalStateException if the results were asked for already, or the spec discards them
   */
  Flow.Publisher<ItemResult> publisher();

  /**
   * The job's end: completes when every item has a result or the job is cancelled, or completes
   * exceptionally with a {@link CrewClientException} if the job fails.
   *
   * @return a future of the summary
   */
  CompletableFuture<JobSummary> summary();

  /**
   * How far the job has got.
   *
   * @return the counts now
   */
  JobProgress progress();

  /**
   * Cancels the job: no task of it starts again, and the results stream and summary end soon after.
   *
   * @return true if this call cancelled it, false if it had ended already
   */
  boolean cancel();
}
