package dev.crew.common;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How the programs log: readable lines (the default) or one JSON object per line for container log
 * collectors. The choice must be made before the first logger exists, so {@code main} reads it from
 * the arguments and the environment and sets the property that the logback configuration reads.
 */
public enum LogFormat {
  text,
  json;

  /** The system property the logback configurations read to pick their appender. */
  public static final String APPENDER_PROPERTY = "crew.log.appender";

  /**
   * The format named by {@code --log-format F} / {@code --log-format=F} in {@code args}, else by
   * the env value.
   */
  public static LogFormat of(List<String> args, @Nullable String envValue) {
    String chosen = envValue;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--log-format") && i + 1 < args.size()) {
        chosen = args.get(i + 1);
      } else if (arg.startsWith("--log-format=")) {
        chosen = arg.substring("--log-format=".length());
      }
    }
    if (chosen == null || chosen.isBlank()) {
      return text;
    }
    try {
      return valueOf(chosen.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return text; // picocli refuses the bad value with a usage error once the command line is
      // parsed
    }
  }

  /** Sets the logback appender property for this format, unless one is set already. */
  public void apply() {
    if (System.getProperty(APPENDER_PROPERTY) == null) {
      System.setProperty(APPENDER_PROPERTY, this == json ? "JSON" : "STDERR");
    }
  }
}
