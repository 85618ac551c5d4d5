package dev.crew.coordinator;

/**
 * A failure the user can act on: its message is printed as one line and the program exits with its
 * code.
 */
final class CrewException extends RuntimeException {
  private final int exitCode;

  CrewException(int exitCode, String message) {
    super(message, null, /* enableSuppression= */ false, /* writableStackTrace= */ false);
    this.exitCode = exitCode;
  }

  static CrewException usage(String message) {
    return new CrewException(ExitCodes.USAGE, message);
  }

  int exitCode() {
    return exitCode;
  }
}
