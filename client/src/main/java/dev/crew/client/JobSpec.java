package dev.crew.client;

import dev.crew.common.JobRetention;
import dev.crew.common.Lane;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A job to submit: the task, its parameters, the input, and how to run it. Built with {@link
 * #task(String)}:
 *
 * <pre>{@code
 * JobSpec.task("http-get").items(urls).param("timeout", "5s").retries(2).build()
 * }</pre>
 *
 * @param task the task's name, as the workers offer it
 * @param params the task's parameters
 * @param input the items
 * @param lane the lane to run on; empty for the task's own
 * @param chunk items per task: {@code auto} (measured), or a number
 * @param retries times a failed item is tried again, 0 to 100
 * @param timeout the longest an item may run; zero for no limit
 * @param retention how long the cluster keeps the job and its results after it ends
 * @param jobId the id to submit under; empty for a fresh one. Submitting an id again with the same
 *     work goes on with the stored job instead of queuing it twice.
 * @param ordered whether results arrive in input order (held back until those before them came)
 * @param reduce a reduction of the values ({@code sum}, {@code count}, {@code min}, {@code max},
 *     {@code mean}, {@code histogram}, or one a plugin on the class path adds) given in the summary
 *     instead of the results
 * @param discardResults whether the results are only counted, not handed to the program
 * @param broadcast whether every worker that offers the task when the job starts runs every item
 * @param then the further stages of a pipeline: each item's result of one stage is that item of the
 *     next, handed on in the cluster as soon as it is recorded; the job's results are those of the
 *     last stage. Empty for a job of one stage.
 */
public record JobSpec(
    String task,
    Map<String, String> params,
    Input input,
    Optional<Lane> lane,
    String chunk,
    int retries,
    Duration timeout,
    Duration retention,
    Optional<String> jobId,
    boolean ordered,
    Optional<String> reduce,
    boolean discardResults,
    boolean broadcast,
    List<StageSpec> then) {

  /** Checks what can be checked without the cluster. */
  public JobSpec {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(lane, "lane");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(reduce, "reduce");
    if (task.isBlank()) {
      throw new IllegalArgumentException("the task name is blank");
    }
    params = Map.copyOf(params);
    if (retries < 0 || retries > 100) {
      throw new IllegalArgumentException("retries must be between 0 and 100, not " + retries);
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("the timeout must not be negative");
    }
    if (jobId.isPresent() && (jobId.get().isBlank() || jobId.get().contains("/"))) {
      throw new IllegalArgumentException(
          "job id '" + jobId.get() + "' must be non-blank and contain no '/'");
    }
    if (ordered && reduce.isPresent()) {
      throw new IllegalArgumentException("a reduction has no order: ordered and reduce exclude");
    }
    if (broadcast && jobId.isPresent()) {
      throw new IllegalArgumentException(
          "a broadcast job runs once, on the workers of its start: it takes no id to go on with");
    }
    then = List.copyOf(then);
    if (broadcast && !then.isEmpty()) {
      throw new IllegalArgumentException(
          "a broadcast job has one stage: it takes no further stage");
    }
    if (ordered && discardResults) {
      throw new IllegalArgumentException("discarded results have no order");
    }
  }

  /**
   * A job's items.
   *
   * @see Builder#range(long, long)
   * @see Builder#items(Iterable)
   * @see Builder#items(Stream)
   */
  public sealed interface Input {
    /**
     * The numbers {@code first} to {@code last}, both included.
     *
     * @param first the first number
     * @param last the last number, at least {@code first}
     */
    record Range(long first, long last) implements Input {
      /** Checks the bounds. */
      public Range {
        if (last < first) {
          throw new IllegalArgumentException("range " + first + ".." + last + " is empty");
        }
      }
    }

    /**
     * Items read one after another as the job is queued; each is at most 1 MiB of UTF-8 text.
     *
     * @param items a new iterator over the items each time it is asked (a stream's can be asked
     *     once)
     * @param size the number of items, or -1 if unknown
     * @param onClose what to close once the items are read
     */
    record Items(Supplier<Iterator<String>> items, long size, AutoCloseable onClose)
        implements Input {}
  }

  /**
   * Starts a spec for {@code task}.
   *
   * @param task the task's name, as the workers offer it ({@code coordinator tasks} lists them)
   * @return a builder
   */
  public static Builder task(String task) {
    return new Builder(task);
  }

  /** Builds a {@link JobSpec}; every setting but the input has a default. */
  public static final class Builder {
    private final String task;
    private final Map<String, String> params = new LinkedHashMap<>();
    private @Nullable Input input;
    private @Nullable Lane lane;
    private String chunk = "auto";
    private int retries;
    private Duration timeout = Duration.ZERO;
    private Duration retention = JobRetention.DEFAULT;
    private @Nullable String jobId;
    private boolean ordered;
    private @Nullable String reduce;
    private boolean discardResults;
    private boolean broadcast;
    private final List<StageSpec> then = new java.util.ArrayList<>();

    private Builder(String task) {
      this.task = Objects.requireNonNull(task, "task");
    }

    /**
     * The numbers {@code first} to {@code last}, both included, as the items.
     *
     * @param first the first number
     * @param last the last number
     * @return this builder
     */
    public Builder range(long first, long last) {
      input = new Input.Range(first, last);
      return this;
    }

    /**
     * The elements of {@code items} as the items, read as the job is queued.
     *
     * @param items the items; a {@link java.util.Collection}'s size is known up front
     * @return this builder
     */
    public Builder items(Iterable<String> items) {
      long size = items instanceof java.util.Collection<?> c ? c.size() : -1;
      input = new Input.Items(items::iterator, size, () -> {});
      return this;
    }

    /**
     * The elements of {@code items} as the items, read lazily as the job is queued; the stream is
     * closed when read. A spec built with a stream can be submitted once.
     *
     * @param items the items
     * @return this builder
     */
    public Builder items(Stream<String> items) {
      Iterator<String> iterator = items.iterator();
      boolean[] taken = new boolean[1];
      input =
          new Input.Items(
              () -> {
                if (taken[0]) {
                  throw new IllegalStateException("a job spec built on a stream runs once");
                }
                taken[0] = true;
                return iterator;
              },
              -1,
              items::close);
      return this;
    }

    /**
     * A parameter of the task.
     *
     * @param key its name
     * @param value its value
     * @return this builder
     */
    public Builder param(String key, String value) {
      params.put(key, value);
      return this;
    }

    /**
     * The lane to run on, instead of the task's own.
     *
     * @param lane CPU or IO
     * @return this builder
     */
    public Builder lane(Lane lane) {
      this.lane = lane;
      return this;
    }

    /**
     * Items per task: fixed, instead of measured.
     *
     * @param items at least 1
     * @return this builder
     */
    public Builder chunk(int items) {
      if (items < 1) {
        throw new IllegalArgumentException("chunk must be at least 1, not " + items);
      }
      this.chunk = Integer.toString(items);
      return this;
    }

    /**
     * Times a failed item is tried again.
     *
     * @param retries 0 to 100
     * @return this builder
     */
    public Builder retries(int retries) {
      this.retries = retries;
      return this;
    }

    /**
     * The longest an item may run; it fails after that.
     *
     * @param timeout more than 0
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("the timeout must be more than 0");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * How long the cluster keeps the job and its results after it ends (default 1 day).
     *
     * @param retention 1 second to 30 days
     * @return this builder
     */
    public Builder retention(Duration retention) {
      if (retention.compareTo(Duration.ofSeconds(1)) < 0
          || retention.compareTo(JobRetention.MAX) > 0) {
        throw new IllegalArgumentException(
            "retention must be between 1s and "
                + JobRetention.MAX.toDays()
                + "d, not "
                + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * The job's id, instead of a fresh one.
     *
     * @param jobId non-blank, without {@code /}
     * @return this builder
     */
    public Builder id(String jobId) {
      this.jobId = jobId;
      return this;
    }

    /**
     * Results in input order.
     *
     * @return this builder
     */
    public Builder ordered() {
      this.ordered = true;
      return this;
    }

    /**
     * A reduction of the values, given in the summary in place of the results.
     *
     * @param op {@code sum}, {@code count}, {@code min}, {@code max}, {@code mean}, {@code
     *     histogram}, or the name of a plugin's reduction on the class path
     * @return this builder
     */
    public Builder reduce(String op) {
      this.reduce = op;
      return this;
    }

    /**
     * Results only counted, not handed to the program.
     *
     * @return this builder
     */
    public Builder discardResults() {
      this.discardResults = true;
      return this;
    }

    /**
     * Every worker that offers the task when the job starts runs every item, on its own host (a
     * probe of each host, a file checked on each); each result names its worker. A worker that
     * leaves mid-job has its remaining items failed with an error that says so; they do not run
     * elsewhere, and a worker that joins later does not take part.
     *
     * @return this builder
     */
    public Builder broadcast() {
      this.broadcast = true;
      return this;
    }

    /**
     * Adds a stage to the pipeline: each item's result of the stage before becomes that item of
     * {@code stage} (a JSON string as its text, any other value as its JSON), in the cluster, as
     * soon as it is recorded, so the stages run at once. An item that fails stops there: its error,
     * naming its stage, is its result. The job's results are the last stage's.
     *
     * @param stage the next stage
     * @return this builder
     */
    public Builder then(StageSpec stage) {
      then.add(Objects.requireNonNull(stage, "stage"));
      return this;
    }

    /**
     * Adds a stage running {@code task} with no parameters, on its own lane: {@link
     * #then(StageSpec)}.
     *
     * @param task the next stage's task
     * @return this builder
     */
    public Builder then(String task) {
      return then(StageSpec.task(task));
    }

    /**
     * The spec.
     *
     * @return the spec
     * @throws IllegalArgumentException if no input was given, or settings contradict each other
     */
    public JobSpec build() {
      if (input == null) {
        throw new IllegalArgumentException("job of task " + task + " has no input");
      }
      return new JobSpec(
          task,
          params,
          input,
          Optional.ofNullable(lane),
          chunk,
          retries,
          timeout,
          retention,
          Optional.ofNullable(jobId),
          ordered,
          Optional.ofNullable(reduce),
          discardResults || reduce != null,
          broadcast,
          then);
    }
  }

  List<String> paramPairs() {
    return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }
}
