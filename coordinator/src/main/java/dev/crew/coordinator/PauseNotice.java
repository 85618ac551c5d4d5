package dev.crew.coordinator;

import dev.crew.common.Admission;
import dev.crew.common.ResultHoldings;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * Tells the user of a detached submission, once, that its job is paused on unread results: the
 * submission then waits to queue the rest of its input until someone reads them.
 */
final class PauseNotice {
  private static final Duration CHECK = Duration.ofSeconds(1);

  private PauseNotice() {}

  /** Starts watching {@code jobId}; interrupt the returned thread to stop. */
  static Thread start(ResultHoldings holdings, String jobId, PrintWriter err) {
    return Thread.ofVirtual()
        .name("crew-pause-notice")
        .start(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.sleep(CHECK);
                  if (holdings.admission(jobId) instanceof Admission.Paused paused) {
                    synchronized (err) {
                      err.println(
                          "coordinator: job "
                              + jobId
                              + " is "
                              + paused.describe(jobId)
                              + "; this command queues the rest of the input once they are read");
                      err.flush();
                    }
                    return;
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                // the client is shutting down: nothing to tell
              }
            });
  }
}
