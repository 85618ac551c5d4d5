package dev.crew.common;

import org.jspecify.annotations.Nullable;

/**
 * A plugin reduction, registered on the test classpath in {@code META-INF/services} as a plugin jar
 * registers one: the longest string result.
 */
public final class LongestStringReducer implements Reducer {

  @Override
  public String name() {
    return "longest";
  }

  @Override
  public String description() {
    return "the longest string result (a test plugin)";
  }

  @Override
  public Accumulator start() {
    return new Accumulator() {
      private @Nullable String longest;

      @Override
      public boolean add(String json) {
        if (!json.startsWith("\"")) {
          return false;
        }
        if (longest == null || json.length() > longest.length()) {
          longest = json;
        }
        return true;
      }

      @Override
      public String result() {
        return longest == null ? "null" : longest;
      }
    };
  }
}
