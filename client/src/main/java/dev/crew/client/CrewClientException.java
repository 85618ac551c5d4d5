package dev.crew.client;

/**
 * What the client library throws when Crew cannot do what was asked: the cluster cannot be reached
 * or holds another secret, a task or input is refused, a job failed or was refused by the workers.
 * Its message is one line naming the problem, fit to show a user.
 */
public final class CrewClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with its message.
   *
   * @param message what went wrong, in one line
   */
  public CrewClientException(String message) {
    super(message);
  }

  /**
   * An exception with its message and cause.
   *
   * @param message what went wrong, in one line
   * @param cause the error underneath
   */
  public CrewClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
