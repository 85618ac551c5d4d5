package dev.crew.common.tasks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The environment of the commands {@code exec} runs: a fixed minimal set, plus the worker's own
 * values of the variables a job names in {@code --param env=K1,K2}. Nothing else of the worker's
 * environment reaches a command, and {@code CREW_*} variables (the worker's settings, its cluster
 * secret among them) can never be named.
 *
 * @param allowed names copied from the worker's environment when set there
 */
record ExecEnvironment(List<String> allowed) {
  /** The commands' PATH unless a job allows the worker's own. */
  static final String PATH = "/usr/local/bin:/usr/bin:/bin";

  static final ExecEnvironment MINIMAL = new ExecEnvironment(List.of());

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String RESERVED = "CREW_";

  ExecEnvironment {
    allowed = List.copyOf(allowed);
    for (String name : allowed) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "parameter env: '" + name + "' is not an environment variable name");
      }
      if (name.toUpperCase(Locale.ROOT).startsWith(RESERVED)) {
        throw new IllegalArgumentException(
            "parameter env: "
                + name
                + " cannot be passed to commands (CREW_* variables are the worker's own settings and"
                + " secrets)");
      }
    }
  }

  /** Parses {@code K1,K2} as typed in {@code --param env=K1,K2}; blank means none. */
  static ExecEnvironment parse(String names) {
    List<String> allowed = new ArrayList<>();
    for (String name : names.split(",")) {
      if (!name.isBlank()) {
        allowed.add(name.strip());
      }
    }
    return new ExecEnvironment(allowed);
  }

  /**
   * The variables a command gets on a worker whose environment is {@code host}, with {@code home}
   * as its HOME: PATH, HOME, LANG and LC_ALL, then each allowed variable that {@code host} sets (it
   * takes the place of a fixed one of the same name).
   */
  Map<String, String> build(Map<String, String> host, String home) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PATH);
    env.put("HOME", home);
    env.put("LANG", "C.UTF-8");
    env.put("LC_ALL", "C.UTF-8");
    for (String name : allowed) {
      String value = host.get(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    return env;
  }
}
