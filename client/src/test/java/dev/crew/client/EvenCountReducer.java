package dev.crew.client;

import dev.crew.common.Reducer;

/**
 * A plugin reduction, registered on the test classpath in {@code META-INF/services} as a plugin jar
 * registers one: how many results are even integers.
 */
public final class EvenCountReducer implements Reducer {

  @Override
  public String name() {
    return "evens";
  }

  @Override
  public String description() {
    return "the number of even integer results (a test plugin)";
  }

  @Override
  public Accumulator start() {
    return new Accumulator() {
      private long evens;

      @Override
      public boolean add(String json) {
        if (!json.matches("-?[0-9]+")) {
          return false;
        }
        if ((json.charAt(json.length() - 1) - '0') % 2 == 0) {
          evens++;
        }
        return true;
      }

      @Override
      public String result() {
        return Long.toString(evens);
      }
    };
  }
}
