package planted;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Classes on the worker's classpath that are not Crew's, as an attacker would name them: each
 * counts every instance made of it, by a constructor or by deserialization.
 */
public final class Instantiations {
  static final AtomicInteger COUNT = new AtomicInteger();

  private Instantiations() {}

  /** Instances of the planted classes made in this JVM so far. */
  public static int count() {
    return COUNT.get();
  }
}
