package dev.crew.common.tasks;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A command started in a session of its own (through util-linux {@code setsid}), so that the
 * command and everything it starts, in the background or not, can be stopped together: Java can
 * signal one process, not a group, and a background child of a killed shell would live on.
 *
 * <p>The members of the session are found in {@code /proc} (the session id is the leader's pid:
 * {@code setsid} makes its own process the leader, since a child of the JVM never leads a group).
 */
final class ProcessSession {
  /** Where {@code setsid} is looked for: the directories of the commands' own PATH. */
  static final List<Path> SETSID =
      List.of(Path.of("/usr/local/bin/setsid"), Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

  private static final File PROC = new File("/proc");
  private static final File NO_INPUT = new File("/dev/null");
  private static final Duration POLL = Duration.ofMillis(10);
  private static final Duration KILL_WAIT = Duration.ofSeconds(1);

  private final Process leader;

  private ProcessSession(Process leader) {
    this.leader = leader;
  }

  /** The first executable {@code setsid} of {@code candidates}. */
  static Optional<Path> findSetsid(List<Path> candidates) {
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * Starts {@code argv} (its first word already resolved to a file) with exactly {@code
   * environment}, no input, and its output on pipes.
   */
  static ProcessSession start(Path setsid, List<String> argv, Map<String, String> environment)
      throws IOException {
    List<String> command = new ArrayList<>(argv.size() + 3);
    // --wait: should setsid ever have to fork, it still exits with the command's status.
    command.addAll(List.of(setsid.toString(), "--wait", "--"));
    command.addAll(argv);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
    builder.environment().clear();
    builder.environment().putAll(environment);
    return new ProcessSession(builder.start());
  }

  Process leader() {
    return leader;
  }

  /** The live processes of this session (zombies aside), the leader and its descendants. */
  List<ProcessHandle> members() {
    Map<Long, ProcessHandle> found = new LinkedHashMap<>();
    String[] pids = PROC.list();
    if (pids != null) {
      for (String pid : pids) {
        if (!pid.isEmpty() && Character.isDigit(pid.charAt(0)) && inSession(pid, leader.pid())) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> found.put(p.pid(), p));
        }
      }
    }
    if (leader.isAlive()) {
      found.putIfAbsent(leader.pid(), leader.toHandle());
      leader.descendants().forEach(p -> found.putIfAbsent(p.pid(), p));
    }
    return List.copyOf(found.values());
  }

  /**
   * Stops every process of the session: SIGTERM, then after {@code grace} SIGKILL to whatever is
   * left (including processes started meanwhile). Returns at once when none is left. An interrupt
   * cuts the grace short; the interrupt flag is kept.
   */
  void stop(Duration grace) {
    List<ProcessHandle> members = members();
    if (members.isEmpty()) {
      return;
    }
    members.forEach(ProcessHandle::destroy);
    boolean interrupted = false;
    try {
      if (awaitGone(grace)) {
        return;
      }
      for (int round = 0; round < 3; round++) {
        List<ProcessHandle> left = members();
        if (left.isEmpty()) {
          return;
        }
        left.forEach(ProcessHandle::destroyForcibly);
        if (awaitGone(KILL_WAIT)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      interrupted = true;
      members().forEach(ProcessHandle::destroyForcibly);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean awaitGone(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!members().isEmpty()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      // The processes are not this JVM's children: there is nothing to wait on but /proc.
      Thread.sleep(POLL);
    }
    return true;
  }

  /** Whether {@code /proc/PID/stat} names {@code session} and a process that has not exited. */
  private static boolean inSession(String pid, long session) {
    byte[] buffer = new byte[256]; // the fields read here come in the first hundred bytes
    int n;
    try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
      n = in.read(buffer);
    } catch (IOException e) {
      return false; // gone meanwhile
    }
    if (n <= 0) {
      return false;
    }
    String stat = new String(buffer, 0, n, StandardCharsets.US_ASCII);
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return false;
    }
    String[] fields = stat.substring(close + 2).split(" ", 5);
    if (fields.length < 5 || fields[0].equals("Z")) {
      return false;
    }
    try {
      return Long.parseLong(fields[3]) == session;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
