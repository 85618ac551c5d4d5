package dev.crew.client.job;

/** The workers refused a job because its signature does not match their cluster secret. */
public final class JobRefusedException extends RuntimeException {
  public JobRefusedException(String message) {
    super(message, null, /* enableSuppression= */ false, /* writableStackTrace= */ false);
  }
}
