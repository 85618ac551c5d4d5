package dev.crew.coordinator;

import dev.crew.client.StageSpec;
import dev.crew.client.job.BadInputException;
import dev.crew.client.job.ChunkPlanner;
import dev.crew.client.job.ItemSource;
import dev.crew.client.job.LineSource;
import dev.crew.client.job.RangeSource;
import dev.crew.client.job.Reduction;
import dev.crew.common.ByteSizes;
import dev.crew.common.Durations;
import dev.crew.common.JobRetention;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Reducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What {@code submit} and {@code run} share: the task, its input, and how results come back. */
final class JobOptions {

  @Parameters(
      index = "0",
      paramLabel = "TASK",
      description = "The task to run (see: coordinator tasks).")
  String task;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(
        names = "--range",
        paramLabel = "A..B",
        description = "Integers from A to B, inclusive.")
    String range;

    @Option(
        names = "--input",
        paramLabel = "FILE",
        description =
            "One item per line of UTF-8 text; - for standard input (see the README for what is refused).")
    String file;
  }

  @Option(
      names = "--param",
      paramLabel = "K=V",
      description = "A task parameter; repeat for several.")
  List<String> params = new ArrayList<>();

  @ArgGroup(exclusive = false, multiplicity = "0..*")
  List<ThenStage> then = new ArrayList<>();

  /** A further stage of a pipeline, with the options that follow its {@code --then}. */
  static final class ThenStage {
    @Option(
        names = "--then",
        required = true,
        paramLabel = "TASK",
        description =
            "A further stage: each item's result is handed to TASK as that item, in the cluster, as"
                + " soon as it is recorded, so the stages run at once; repeat for more stages. The"
                + " output is the last stage's results; an item that fails stops there, its error"
                + " naming the stage.")
    String task;

    @Option(
        names = "--then-param",
        paramLabel = "K=V",
        description = "A parameter of the --then stage it follows; repeat for several.")
    List<String> params = new ArrayList<>();

    @Option(
        names = "--then-lane",
        paramLabel = "cpu|io",
        description = "The lane of the --then stage it follows (default: its task's own).")
    String lane;
  }

  @Option(
      names = "--every-stage",
      description =
          "With --then: each line also has the item's value at every stage, as \"stages\": [...].")
  boolean everyStage;

  @Option(
      names = "--lane",
      paramLabel = "cpu|io|auto",
      description =
          "Lane to run on; auto runs the first items on the CPU lane and sends the rest to the I/O"
              + " lane if they mostly wait (default: the task's own, auto for a task that declares"
              + " none).")
  String lane;

  @Option(
      names = "--chunk",
      paramLabel = "N|auto",
      defaultValue = "auto",
      description =
          "Items per task; auto measures item times and aims at ~500 ms tasks (default ${DEFAULT-VALUE}).")
  String chunk;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Write the JSON lines to FILE instead of stdout.")
  String out;

  @Option(names = "--ordered", description = "Results in input order (default: as they complete).")
  boolean ordered;

  @Option(
      names = "--broadcast",
      description =
          "Every worker that offers the task when the job starts runs every item, on its own host;"
              + " results name their worker. A worker that leaves mid-job is reported in its"
              + " items' errors; its items do not run elsewhere.")
  boolean broadcast;

  @Option(
      names = "--reduce",
      paramLabel = "NAME",
      description =
          "Print only this reduction of the results: sum, count, min, max, mean, histogram, or a"
              + " plugin's (see: coordinator tasks).")
  String reduce;

  @Option(
      names = "--retries",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Tries again an item that fails, up to N times, with exponential backoff (default ${DEFAULT-VALUE}).")
  int retries;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description =
          "Time limit of one try of an item, e.g. 30s; an item past it is interrupted (default: none).")
  String timeout;

  @Option(
      names = "--job-id",
      paramLabel = "ID",
      description = "The job's id (default: TASK-random).")
  String jobId;

  @Option(
      names = "--keep-results",
      description =
          "Keep results in the cluster after delivering them (for 'results'), up to half the"
              + " job's result budget.")
  boolean keepResults;

  @Option(
      names = "--result-budget",
      paramLabel = "SIZE",
      description =
          "Results the cluster may hold unread before the job pauses, e.g. 64MiB (default: half"
              + " of what the workers hold for all jobs, a quarter of their heaps).")
  String resultBudget;

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      description =
          "How long the cluster keeps the job, its results and its counts after it ends, e.g."
              + " 2h or 7d (default 1d, at most 30d); the workers remove it then.")
  String retention;

  @Option(
      names = "--no-progress",
      negatable = false,
      description = "No progress bar, even on a terminal.")
  boolean noProgress;

  /**
   * Everything checkable without the cluster, checked before connecting: exit code 2 and nothing
   * queued.
   */
  record Checked(
      String task,
      Params params,
      Optional<Lane> lane,
      boolean autoLane,
      Optional<Reducer> reduce,
      String chunk,
      long knownTotal,
      int retries,
      Duration timeout,
      Duration retention,
      List<StageSpec> then) {}

  Checked check() {
    try {
      Params parsed = Params.parse(params);
      boolean autoLane = lane != null && lane.trim().equalsIgnoreCase("auto");
      Optional<Lane> chosenLane =
          lane == null || autoLane ? Optional.empty() : Optional.of(parseLane(lane));
      Optional<Reducer> reducer =
          reduce == null
              ? Optional.empty()
              : Optional.of(Reduction.find(reduce, Thread.currentThread().getContextClassLoader()));
      if (ordered && reducer.isPresent()) {
        throw new IllegalArgumentException(
            "--ordered and --reduce do not go together (a reduction has no order)");
      }
      long total = input.range != null ? RangeSource.parse(input.range).total() : -1;
      ChunkPlanner.parse(chunk, 1, total, Duration.ZERO);
      if (broadcast && jobId != null) {
        throw new IllegalArgumentException(
            "--broadcast and --job-id do not go together (a broadcast runs on the workers of its"
                + " start, once)");
      }
      if (jobId != null && (jobId.isBlank() || jobId.contains("/"))) {
        throw new IllegalArgumentException(
            "--job-id '" + jobId + "' must be non-blank and contain no '/'");
      }
      if (retries < 0 || retries > 100) {
        throw new IllegalArgumentException("--retries must be between 0 and 100, not " + retries);
      }
      Duration limit = timeout == null ? Duration.ZERO : Durations.parse(timeout, "--timeout");
      if (timeout != null && limit.isZero()) {
        throw new IllegalArgumentException(
            "--timeout must be more than 0 (leave it out for no limit)");
      }
      List<StageSpec> stages = new ArrayList<>();
      for (ThenStage stage : then) {
        StageSpec spec =
            new StageSpec(stage.task, Params.parse(stage.params).values(), Optional.empty());
        if (stage.lane != null) {
          spec = spec.lane(parseStageLane(stage.lane));
        }
        stages.add(spec);
      }
      if (stages.isEmpty() && everyStage) {
        throw new IllegalArgumentException("--every-stage needs a pipeline (--then TASK)");
      }
      if (!stages.isEmpty() && broadcast) {
        throw new IllegalArgumentException(
            "--broadcast and --then do not go together (a broadcast has one stage)");
      }
      if (!stages.isEmpty() && autoLane) {
        throw new IllegalArgumentException(
            "--lane auto and --then do not go together (a pipeline's stages run side by side on"
                + " their own lanes: give --lane cpu or io)");
      }
      resultBudget();
      Duration keep =
          retention == null ? JobRetention.DEFAULT : JobRetention.parse(retention, "--retention");
      return new Checked(
          task, parsed, chosenLane, autoLane, reducer, chunk, total, retries, limit, keep, stages);
    } catch (IllegalArgumentException e) {
      throw CrewException.usage(e.getMessage());
    }
  }

  private static Lane parseStageLane(String text) {
    try {
      return Lane.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown --then-lane '" + text + "' (expected cpu or io)", e);
    }
  }

  private static Lane parseLane(String text) {
    try {
      return Lane.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown lane '" + text + "' (expected cpu, io or auto)", e);
    }
  }

  /** The chosen {@code --result-budget} in bytes, 0 for the workers' default. */
  long resultBudget() {
    if (resultBudget == null) {
      return 0;
    }
    long bytes = ByteSizes.parse(resultBudget, "--result-budget");
    if (bytes < 64 * 1024) {
      throw new IllegalArgumentException(
          "--result-budget must be at least 64KiB (one task's result can be larger), not '"
              + resultBudget
              + "'");
    }
    return bytes;
  }

  /** Opens the input now, so a missing file or bad bytes are reported before anything is queued. */
  ItemSource openInput() {
    try {
      return input.range != null ? RangeSource.parse(input.range) : LineSource.open(input.file);
    } catch (IllegalArgumentException | BadInputException e) {
      throw CrewException.usage(e.getMessage());
    }
  }
}
