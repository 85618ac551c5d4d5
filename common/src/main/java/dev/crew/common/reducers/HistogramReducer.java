package dev.crew.common.reducers;

import dev.crew.common.Reducer;

/**
 * {@code histogram}: the numbers' count, exact min, max and mean, percentiles and ten equal bins,
 * in memory that does not grow with their number.
 */
public final class HistogramReducer implements Reducer {

  @Override
  public String name() {
    return "histogram";
  }

  @Override
  public String description() {
    return "count, min, max, mean, p50/p90/p99/p99.9 and 10 equal bins of the numeric results"
        + " (to 0.1%)";
  }

  @Override
  public Accumulator start() {
    return new NumberHistogram();
  }
}
