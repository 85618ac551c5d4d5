package dev.crew.worker;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Members started by a test class join at once, and log through SLF4J from their first line (as
 * {@code WorkerCommand} sets up): Hazelcast otherwise waits seconds before each join, idle time in
 * every test.
 */
final class QuickJoin implements BeforeAllCallback, AfterAllCallback {
  private static final String WAIT_BEFORE_JOIN = "hazelcast.wait.seconds.before.join";

  @Override
  public void beforeAll(ExtensionContext context) {
    System.setProperty(WAIT_BEFORE_JOIN, "0");
    System.setProperty("hazelcast.logging.type", "slf4j");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    System.clearProperty(WAIT_BEFORE_JOIN);
  }
}
