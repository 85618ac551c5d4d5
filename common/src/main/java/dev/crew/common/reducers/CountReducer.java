package dev.crew.common.reducers;

import dev.crew.common.Reducer;

/** {@code count}: how many items succeeded, whatever their values. */
public final class CountReducer implements Reducer {

  @Override
  public String name() {
    return "count";
  }

  @Override
  public String description() {
    return "the number of successful results, numbers or not";
  }

  @Override
  public Accumulator start() {
    return new Accumulator() {
      private long count;

      @Override
      public boolean add(String json) {
        count++;
        return true;
      }

      @Override
      public String result() {
        return Long.toString(count);
      }
    };
  }
}
