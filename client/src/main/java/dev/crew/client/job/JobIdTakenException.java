package dev.crew.client.job;

/**
 * A {@code --job-id} already used for other work: the stored job is not this submission's to
 * change.
 */
public final class JobIdTakenException extends IllegalArgumentException {
  public JobIdTakenException(String message) {
    super(message);
  }
}
