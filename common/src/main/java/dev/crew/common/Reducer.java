package dev.crew.common;

/**
 * A way to fold a job's results into one value, known by name: the service-provider interface for
 * built-in and plugin reductions ({@code --reduce NAME}).
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}, like {@link Task}s: a jar that
 * lists its classes in {@code META-INF/services/dev.crew.common.Reducer} and sits on the
 * coordinator's classpath (its {@code plugins/} folder) adds reductions. A reduction runs where the
 * results are read, never on a worker.
 */
public interface Reducer {

  /** The name users ask for, e.g. {@code sum}; lower case, no spaces. */
  String name();

  /** One line for {@code coordinator tasks}. */
  String description();

  /** A fresh accumulator for one job. */
  Accumulator start();

  /** One job's reduction in progress; used by one thread at a time. */
  interface Accumulator {

    /**
     * Folds in one successful item's value.
     *
     * @param json the value as JSON text, e.g. {@code 42}, {@code "text"} or {@code {"a":1}}
     * @return false when the value is not one this reduction takes (e.g. not a number): it is left
     *     out and counted
     */
    boolean add(String json);

    /** The reduction of what was added so far, as JSON text. */
    String result();
  }
}
