package planted;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Classes on the worker's classpath that are not Crew's, as an attacker would name them: each
 * records every instance made of it, by a constructor or by deserialization, with the thread and
 * stack that made it.
 */
public final class Instantiations {
  private static final List<String> MADE = new CopyOnWriteArrayList<>();

  private Instantiations() {}

  static void made(Object instance) {
    StringWriter stack = new StringWriter();
    new Throwable(instance.getClass().getName() + " made on " + Thread.currentThread())
        .printStackTrace(new PrintWriter(stack));
    MADE.add(stack.toString());
  }

  /** Instances of the planted classes made in this JVM so far. */
  public static int count() {
    return MADE.size();
  }

  /** Where each instance made since the {@code from}-th was made. */
  public static List<String> since(int from) {
    return List.copyOf(MADE.subList(from, MADE.size()));
  }
}
