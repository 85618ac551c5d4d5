package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.Durations;
import dev.crew.common.view.ClusterSnapshot;
import dev.crew.common.view.ClusterWatch;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code coordinator top}: the cluster's workers, queues and jobs, redrawn live until q or Ctrl-C.
 */
@Command(
    name = "top",
    header =
        "A live view of the workers, lane queues, jobs and reliability events; q or Ctrl-C quits.",
    mixinStandardHelpOptions = true)
final class TopCommand extends ClusterCommandBase implements Callable<Integer> {
  private static final String CLEAR = "\033[H\033[2J";
  private static final String ALTERNATE_SCREEN = "\033[?1049h";
  private static final String MAIN_SCREEN = "\033[?1049l";

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "1s",
      description = "How often to redraw (default ${DEFAULT-VALUE}).")
  String interval;

  private volatile boolean quit;

  @Override
  public Integer call() throws IOException {
    Duration every = Durations.parse(interval, "--interval");
    if (every.toMillis() < 100) {
      throw CrewException.usage("--interval must be at least 100ms, not " + interval);
    }
    if (System.console() == null) {
      throw CrewException.usage("top needs a terminal; 'cluster' and 'jobs' print the same once");
    }
    HazelcastInstance hazelcast = connect();
    try (Terminal terminal = TerminalBuilder.builder().system(true).nativeSignals(true).build()) {
      terminal.handle(Terminal.Signal.INT, signal -> quit = true);
      Attributes saved = terminal.enterRawMode();
      PrintWriter screen = terminal.writer();
      screen.print(ALTERNATE_SCREEN);
      try {
        ClusterWatch watch =
            new ClusterWatch(hazelcast, options().cluster, 15, System::currentTimeMillis);
        NonBlockingReader keys = terminal.reader();
        while (!quit) {
          draw(screen, terminal, watch.read());
          long until = System.nanoTime() + every.toNanos();
          for (long left = every.toMillis();
              left > 0 && !quit;
              left = (until - System.nanoTime()) / 1_000_000) {
            int key = keys.read(left);
            if (key == 'q'
                || key == 'Q'
                || key == 3 /* Ctrl-C when the terminal sends it as a key */
                || key == -1) {
              quit = true;
            }
          }
        }
      } finally {
        screen.print(MAIN_SCREEN);
        screen.flush();
        terminal.setAttributes(saved);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      hazelcast.shutdown();
    }
    return ExitCodes.OK;
  }

  private static void draw(PrintWriter screen, Terminal terminal, ClusterSnapshot snapshot) {
    List<String> lines = new ArrayList<>();
    lines.add(SnapshotText.summary(snapshot) + "   (q quits)");
    lines.addAll(SnapshotText.workers(snapshot));
    lines.add(String.join("   ", SnapshotText.queues(snapshot)));
    lines.add("");
    lines.addAll(SnapshotText.jobs(snapshot));
    lines.add("");
    lines.addAll(SnapshotText.failuresAndEvents(snapshot, 5));
    int width = Math.max(20, terminal.getWidth());
    int height = Math.max(5, terminal.getHeight());
    StringBuilder frame = new StringBuilder(CLEAR);
    for (String line : lines.subList(0, Math.min(lines.size(), height - 1))) {
      frame.append(line.length() > width ? line.substring(0, width) : line).append("\r\n");
    }
    screen.print(frame);
    screen.flush();
  }
}
