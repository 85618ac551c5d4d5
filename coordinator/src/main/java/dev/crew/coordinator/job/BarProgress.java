package dev.crew.coordinator.job;

import dev.crew.client.job.Progress;
import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on a terminal: done/total, items/s and ETA, drawn by the progressbar library. */
public final class BarProgress implements Progress {
  private final ProgressBar bar;

  /**
   * @param total the input's size, or -1 while unknown (the bar shows a count until it is known)
   */
  public BarProgress(String jobId, long total, PrintStream terminal) {
    this.bar =
        new ProgressBarBuilder()
            .setTaskName(jobId)
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new ConsoleProgressBarConsumer(terminal))
            .setUpdateIntervalMillis(100)
            .setUnit(" items", 1)
            .showSpeed()
            .setSpeedUnit(ChronoUnit.SECONDS)
            .build();
  }

  @Override
  public void total(long items) {
    bar.maxHint(items);
  }

  @Override
  public void advance(long items) {
    bar.stepBy(items);
  }

  @Override
  public void close() {
    bar.close();
  }
}
