package dev.crew.coordinator;

/** The coordinator's exit codes, as listed in {@code --help}. */
final class ExitCodes {
  static final int OK = 0;
  static final int ITEMS_FAILED = 1;
  static final int USAGE = 2;
  static final int UNREACHABLE = 3;
  static final int NOT_COMPLETED = 4;
  static final int REFUSED = 5;

  private ExitCodes() {}
}
