package dev.crew.client;

/**
 * How far a job has got, as this client has seen its results arrive.
 *
 * @param done items with a result, ok or failed
 * @param total items in the job, or -1 while its input is still being read
 * @param ok items that succeeded
 * @param failed items that failed
 */
public record JobProgress(long done, long total, long ok, long failed) {

  /**
   * Done as a share of the total.
   *
   * @return 0 to 1; 0 while the total is unknown
   */
  public double fraction() {
    return total > 0 ? Math.min(1.0, done / (double) total) : 0;
  }
}
