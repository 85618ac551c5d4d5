package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs a command for each item, in the manner of GNU parallel: {@code --param cmd='gzip -9 {}'}
 * runs {@code gzip -9 ITEM}; without a {@code {}} the item is added as the last argument. No shell
 * is involved: the template is split on spaces and the item is one argument, whatever characters it
 * holds. A command that exits non-zero fails its item.
 *
 * <p>It runs commands on the worker's host, so a worker refuses it unless started with {@code
 * --allow-exec}; and it contains them: a minimal environment ({@link ExecEnvironment}), a session
 * of their own that is stopped as a whole when the command ends, times out or is cancelled ({@link
 * ProcessSession}), bounded output, and no item that a command would read as an option.
 */
public final class ExecTask implements Task {
  /** Bytes of a command's stdout kept in its result: results are held and stored per item. */
  static final int MAX_OUTPUT = 64 * 1024;

  /** Bytes of stderr kept, for the last line that goes into a failed item's error. */
  static final int MAX_ERROR = 4 * 1024;

  /**
   * From SIGTERM to SIGKILL: short enough that an item stopped for its time limit returns before
   * the worker's watchdog gives up on its thread (at least 500 ms later).
   */
  static final Duration GRACE = Duration.ofMillis(250);

  /** How long the output may stay open after the session is gone (a process that left it). */
  private static final Duration OUTPUT_GRACE = Duration.ofSeconds(1);

  /** What one command did; {@code truncated} says stdout was cut at {@value #MAX_OUTPUT} bytes. */
  public record Ran(int exit, String stdout, boolean truncated, long ms) {}

  private final Supplier<Map<String, String>> hostEnvironment;
  private final List<Path> setsidCandidates;

  public ExecTask() {
    this(System::getenv, ProcessSession.SETSID);
  }

  ExecTask(Supplier<Map<String, String>> hostEnvironment, List<Path> setsidCandidates) {
    this.hostEnvironment = hostEnvironment;
    this.setsidCandidates = List.copyOf(setsidCandidates);
  }

  @Override
  public String name() {
    return "exec";
  }

  @Override
  public Lane lane() {
    return Lane.CPU;
  }

  @Override
  public boolean runsCommands() {
    return true;
  }

  @Override
  public String description() {
    return "run a command per item, GNU parallel style (param cmd='wc -c {}'); needs workers with --allow-exec";
  }

  @Override
  public ItemFunction bind(Params params) {
    params.allowOnly(name(), "cmd", "env");
    String template = params.get("cmd", "").trim();
    if (template.isEmpty()) {
      throw new IllegalArgumentException(
          "task exec needs --param cmd='COMMAND {}' ({} is replaced by the item)");
    }
    List<String> words = List.of(template.split("\\s+"));
    ExecEnvironment environment = ExecEnvironment.parse(params.get("env", ""));
    return item -> run(argv(words, item), environment);
  }

  /**
   * The command line for {@code item}.
   *
   * @throws IllegalArgumentException if the item would begin an argument with {@code -} (the
   *     command would read it as an option), or holds a NUL byte
   */
  static List<String> argv(List<String> template, String item) {
    if (item.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "item holds a NUL byte, which no command argument can hold");
    }
    boolean dash = item.startsWith("-");
    List<String> argv = new ArrayList<>(template.size() + 1);
    boolean placed = false;
    for (String word : template) {
      if (word.contains("{}")) {
        if (dash && word.startsWith("{}")) {
          throw startsWithDash();
        }
        argv.add(word.replace("{}", item));
        placed = true;
      } else {
        argv.add(word);
      }
    }
    if (!placed) {
      if (dash) {
        throw startsWithDash();
      }
      argv.add(item);
    }
    return argv;
  }

  private static IllegalArgumentException startsWithDash() {
    return new IllegalArgumentException(
        "item starts with '-', which the command would read as an option: refused (write a file as"
            + " ./NAME, or put text before {} in cmd)");
  }

  private Ran run(List<String> argv, ExecEnvironment environment)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    Path setsid = findSetsid();
    Map<String, String> env =
        environment.build(hostEnvironment.get(), System.getProperty("java.io.tmpdir", "/tmp"));
    List<String> resolved = new ArrayList<>(argv);
    resolved.set(0, resolve(argv.getFirst(), env.getOrDefault("PATH", "")));
    ProcessSession session;
    try {
      session = ProcessSession.start(setsid, resolved, env);
    } catch (IOException e) {
      throw new IOException("cannot run " + argv.getFirst() + ": " + e.getMessage());
    }
    Process leader = session.leader();
    OutputCapture out = OutputCapture.first(leader.getInputStream(), MAX_OUTPUT);
    OutputCapture err = OutputCapture.last(leader.getErrorStream(), MAX_ERROR);
    int exit;
    try {
      exit = leader.waitFor();
    } finally {
      // Done, timed out, cancelled or the worker stopping: nothing the command started outlives
      // its item, background children included.
      session.stop(GRACE);
    }
    out.await(OUTPUT_GRACE);
    if (exit != 0) {
      err.await(OUTPUT_GRACE);
      String text = err.text().strip();
      String last = text.isEmpty() ? "" : ": " + text.substring(text.lastIndexOf('\n') + 1);
      throw new IOException(argv.getFirst() + " exited with " + exit + last);
    }
    return new Ran(exit, out.text(), out.cut(), (System.nanoTime() - start) / 1_000_000);
  }

  private Path findSetsid() throws IOException {
    Optional<Path> setsid = ProcessSession.findSetsid(setsidCandidates);
    if (setsid.isEmpty()) {
      throw new IOException(
          "exec needs setsid (util-linux) on this worker to stop a command with everything it starts;"
              + " not found at "
              + String.join(", ", setsidCandidates.stream().map(Path::toString).toList()));
    }
    return setsid.get();
  }

  /**
   * The file {@code command} names: a path as given, or the first executable of that name on the
   * commands' PATH (not the worker's).
   */
  static String resolve(String command, String path) throws IOException {
    if (command.contains("/")) {
      if (!Files.isRegularFile(Path.of(command)) || !Files.isExecutable(Path.of(command))) {
        throw new IOException("cannot run " + command + ": not an executable file");
      }
      return command;
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && !command.isEmpty()) {
        Path candidate = Path.of(dir, command);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    throw new IOException("cannot run " + command + ": not found in PATH=" + path);
  }
}
