package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs a command for each item, in the manner of GNU parallel: {@code --param cmd='gzip -9 {}'}
 * runs {@code gzip -9 ITEM}; without a {@code {}} the item is added as the last argument. No shell
 * is involved: the template is split on spaces and the item is one argument, whatever characters it
 * holds. A command that exits non-zero fails its item.
 *
 * <p>It runs commands on the worker's host, so a worker refuses it unless started with {@code
 * --allow-exec}.
 */
public final class ExecTask implements Task {
  static final int MAX_OUTPUT = 1 << 20;
  private static final java.io.File NO_INPUT = new java.io.File("/dev/null");

  /** What one command did. */
  public record Ran(int exit, String stdout, long ms) {}

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
    params.allowOnly(name(), "cmd");
    String template = params.get("cmd", "").trim();
    if (template.isEmpty()) {
      throw new IllegalArgumentException(
          "task exec needs --param cmd='COMMAND {}' ({} is replaced by the item)");
    }
    List<String> words = List.of(template.split("\\s+"));
    return item -> run(argv(words, item));
  }

  static List<String> argv(List<String> template, String item) {
    List<String> argv = new ArrayList<>(template.size() + 1);
    boolean placed = false;
    for (String word : template) {
      if (word.contains("{}")) {
        argv.add(word.replace("{}", item));
        placed = true;
      } else {
        argv.add(word);
      }
    }
    if (!placed) {
      argv.add(item);
    }
    return argv;
  }

  static Ran run(List<String> argv) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process process;
    try {
      process =
          new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(NO_INPUT)).start();
    } catch (IOException e) {
      throw new IOException("cannot run " + argv.getFirst() + ": " + e.getMessage());
    }
    try {
      // Both streams are read on their own threads so that this one waits in waitFor, which an
      // interrupt ends.
      CompletableFuture<String> stderr = readAsync(process.getErrorStream());
      CompletableFuture<String> out = readAsync(process.getInputStream());
      int exit = process.waitFor();
      String stdout = out.get();
      if (exit != 0) {
        String err = stderr.get().strip();
        String last = err.isEmpty() ? "" : ": " + err.substring(err.lastIndexOf('\n') + 1);
        throw new IOException(argv.getFirst() + " exited with " + exit + last);
      }
      return new Ran(exit, stdout, (System.nanoTime() - start) / 1_000_000);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    } finally {
      // Interrupted (a time limit, a cancel) or done: never leave the command running.
      process.destroyForcibly();
    }
  }

  private static CompletableFuture<String> readAsync(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> read(in), command -> Thread.ofVirtual().start(command));
  }

  private static String read(InputStream in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (in) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        if (out.size() < MAX_OUTPUT) {
          out.write(buffer, 0, Math.min(n, MAX_OUTPUT - out.size()));
        }
      }
    } catch (IOException e) {
      // the process went away; keep what was read
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
