package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hosts of a private network for an end-to-end test: network namespaces on a bridge of their own
 * ({@code deploy/test/lib/netns.sh}), each with its own address and, for the programs started in it
 * here, its own host name (a UTS namespace). Nothing is routed out of them. {@link #close()}
 * removes them, and a shutdown hook does if the JVM stops early. Fails (never skips) where
 * namespaces cannot be made: the fault tests run as root, with iproute2 installed.
 */
final class PrivateHosts implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private final Path script;
  private final String id;
  private final int octet;
  private final Thread exitHook;

  private PrivateHosts(Path script, String id, int octet) {
    this.script = script;
    this.id = id;
    this.octet = octet;
    this.exitHook = new Thread(this::destroy, "private-hosts-cleanup");
    Runtime.getRuntime().addShutdownHook(exitHook);
  }

  /** Creates {@code count} hosts, 1 to {@code count}. */
  static PrivateHosts create(Path home, int count) {
    Path script = home.resolve("deploy/test/lib/netns.sh");
    String check = run(script.toString(), "check");
    assertThat(check).as("netns.sh check: network namespaces need root and iproute2").isEmpty();
    Set<Integer> taken = new HashSet<>();
    Matcher used =
        Pattern.compile("10\\.213\\.(\\d+)\\.")
            .matcher(run("ip", "-o", "addr") + run("ip", "route"));
    while (used.find()) {
      taken.add(Integer.parseInt(used.group(1)));
    }
    String last = "";
    for (int attempt = 0; attempt < 3; attempt++) {
      String id = "b" + Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
      int octet;
      do {
        octet = 1 + ThreadLocalRandom.current().nextInt(254);
      } while (taken.contains(octet));
      PrivateHosts hosts = new PrivateHosts(script, id, octet);
      last = run(script.toString(), "create", id, Integer.toString(octet), Integer.toString(count));
      if (last.isEmpty()) {
        return hosts;
      }
      if (last.contains("ID in use")) {
        hosts.forgetHook(); // another run's network: never ours to destroy
        continue;
      }
      hosts.close();
      break;
    }
    throw new AssertionError("netns.sh create failed:\n" + last);
  }

  /** Host {@code host}'s address. */
  String ip(int host) {
    return "10.213." + octet + "." + (10 + host);
  }

  /** What runs a command on host {@code host} under the host name {@code hostName}. */
  List<String> on(int host, String hostName) {
    return List.of(
        "ip",
        "netns",
        "exec",
        "crewp-" + id + "-n" + host,
        "unshare",
        "--uts",
        "sh",
        "-c",
        "hostname \"$0\" && exec \"$@\"",
        hostName);
  }

  @Override
  public void close() {
    destroy();
    forgetHook();
  }

  private void forgetHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(exitHook);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs anyway, and finds nothing left to do
    }
  }

  /** Kills what is left in the hosts and removes them; only this network's names are touched. */
  private void destroy() {
    String out = run(script.toString(), "destroy", id);
    if (!out.isBlank()) {
      System.err.println("PrivateHosts: netns.sh destroy " + id + ": " + out);
    }
  }

  /** Runs a short command; returns its output (stdout and stderr), or why it failed. */
  private static String run(String... command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return String.join(" ", command) + ": timed out";
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (command[0].equals("ip")) {
        return text;
      }
      return p.exitValue() == 0 ? "" : text + " (exit " + p.exitValue() + ")";
    } catch (IOException e) {
      return String.join(" ", command) + ": " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return String.join(" ", command) + ": interrupted";
    }
  }
}
