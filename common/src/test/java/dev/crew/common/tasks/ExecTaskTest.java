package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.crew.common.ItemFunction;
import dev.crew.common.Params;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecTaskTest {
  private static final Map<String, String> HOST =
      Map.of(
          "CREW_SECRET", "s3cret",
          "CREW_ALLOW_EXEC", "true",
          "KEEP_ME", "yes",
          "OTHER", "no",
          "PATH", "/opt/worker/bin:/usr/bin");

  @TempDir Path dir;

  private final ExecTask task = new ExecTask(() -> HOST, ProcessSession.SETSID);

  private ItemFunction bound(String... params) {
    return task.bind(Params.parse(List.of(params)));
  }

  private Path script(String name, String... lines) throws IOException {
    return Files.writeString(dir.resolve(name), "#!/bin/sh\n" + String.join("\n", lines) + "\n");
  }

  @Test
  void argv_itemReplacesPlaceholderOrComesLast() {
    assertThat(ExecTask.argv(List.of("gzip", "-9", "{}"), "a b.log"))
        .containsExactly("gzip", "-9", "a b.log");
    assertThat(ExecTask.argv(List.of("wc", "-c"), "x")).containsExactly("wc", "-c", "x");
    assertThat(ExecTask.argv(List.of("cp", "{}", "{}.bak"), "x"))
        .containsExactly("cp", "x", "x.bak");
  }

  @Test
  void argv_itemStartingWithDash_refusedWhereItWouldBeAnOption() {
    assertThatThrownBy(() -> ExecTask.argv(List.of("rm", "{}"), "-rf"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starts with '-'")
        .hasMessageContaining("./NAME");
    assertThatThrownBy(() -> ExecTask.argv(List.of("rm"), "--no-preserve-root"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starts with '-'");
    assertThatThrownBy(() -> ExecTask.argv(List.of("cat", "{}.txt"), "-n"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void argv_itemStartingWithDash_allowedAfterTextInItsWord() {
    assertThat(ExecTask.argv(List.of("cat", "./{}"), "-n")).containsExactly("cat", "./-n");
    assertThat(ExecTask.argv(List.of("grep", "--regexp={}"), "-x"))
        .containsExactly("grep", "--regexp=-x");
  }

  @Test
  void argv_itemWithNul_refused() {
    assertThatThrownBy(() -> ExecTask.argv(List.of("echo"), "a\0b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
  }

  @Test
  void exec_itemStartingWithDash_failsWithoutRunning() {
    assertThatThrownBy(() -> bound("cmd=echo").apply("-e"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starts with '-'");
  }

  @Test
  void exec_runsCommandWithItem() throws Exception {
    Object result = bound("cmd=echo hello {}").apply("world");

    assertThat(result)
        .isInstanceOfSatisfying(
            ExecTask.Ran.class,
            ran -> {
              assertThat(ran.exit()).isZero();
              assertThat(ran.stdout()).isEqualTo("hello world\n");
              assertThat(ran.truncated()).isFalse();
            });
  }

  /** {@code env printenv} prints the environment the command was given, and nothing else. */
  @Test
  void exec_environment_minimalWithoutCrewVariables() throws Exception {
    Map<String, String> env = environmentOf(bound("cmd=env"));

    assertThat(env)
        .containsOnlyKeys("PATH", "HOME", "LANG", "LC_ALL")
        .containsEntry("PATH", "/usr/local/bin:/usr/bin:/bin")
        .containsEntry("LANG", "C.UTF-8")
        .containsEntry("LC_ALL", "C.UTF-8")
        .containsEntry("HOME", System.getProperty("java.io.tmpdir"));
  }

  @Test
  void exec_environment_allowListCopiesWorkerValues() throws Exception {
    Map<String, String> env = environmentOf(bound("cmd=env", "env=KEEP_ME, PATH,UNSET_HERE"));

    assertThat(env)
        .containsOnlyKeys("PATH", "HOME", "LANG", "LC_ALL", "KEEP_ME")
        .containsEntry("KEEP_ME", "yes")
        .containsEntry("PATH", "/opt/worker/bin:/usr/bin");
  }

  @Test
  void bind_envNamingCrewVariable_refusedInOneLine() {
    assertThatThrownBy(() -> bound("cmd=env", "env=KEEP_ME,CREW_SECRET"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CREW_SECRET")
        .hasMessageContaining("cannot be passed")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> bound("cmd=env", "env=crew_allow_exec"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("crew_allow_exec");
  }

  @Test
  void bind_envWithBadName_refused() {
    assertThatThrownBy(() -> bound("cmd=env", "env=A-B"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'A-B' is not an environment variable name");
  }

  @Test
  void bind_unknownParam_namesBothKnown() {
    assertThatThrownBy(() -> bound("cmd=env", "shell=bash"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("known: cmd, env");
  }

  @Test
  void exec_outputPastCap_cutAndSaysSo() throws Exception {
    Path big = script("big.sh", "yes | head -c \"$1\"");
    ItemFunction f = bound("cmd=sh " + big + " {}");

    ExecTask.Ran small = (ExecTask.Ran) f.apply("10");
    ExecTask.Ran cut = (ExecTask.Ran) f.apply(Integer.toString(10 * ExecTask.MAX_OUTPUT));

    assertThat(small.stdout()).isEqualTo("y\ny\ny\ny\ny\n");
    assertThat(small.truncated()).isFalse();
    assertThat(cut.stdout()).hasSize(ExecTask.MAX_OUTPUT);
    assertThat(cut.truncated()).isTrue();
  }

  @Test
  void exec_nonZeroExit_failsWithLastStderrLine() throws IOException {
    Path fails =
        script(
            "fails.sh",
            "yes noise | head -c 100000 >&2",
            "echo >&2",
            "echo \"bad $1\" >&2",
            "exit 3");

    assertThatThrownBy(() -> bound("cmd=sh " + fails).apply("thing"))
        .isInstanceOf(IOException.class)
        .hasMessage("sh exited with 3: bad thing");
  }

  @Test
  void exec_unknownCommand_oneLineNamingItAndPath() {
    assertThatThrownBy(() -> bound("cmd=no-such-command-crew {}").apply("x"))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "cannot run no-such-command-crew: not found in PATH=/usr/local/bin:/usr/bin:/bin");
  }

  @Test
  void exec_withoutSetsid_failsInOneLine() {
    ExecTask without = new ExecTask(() -> HOST, List.of(dir.resolve("setsid")));

    assertThatThrownBy(() -> without.bind(Params.parse(List.of("cmd=echo"))).apply("x"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exec needs setsid (util-linux)")
        .hasMessageContaining(dir.resolve("setsid").toString());
  }

  /** A command that returns at once but left a child in the background: the child is stopped. */
  @Test
  void exec_backgroundChildOfFinishedCommand_stopped() throws Exception {
    String marker = marker();
    Path spawn = script("spawn.sh", "sh -c 'sleep 300; :' \"bg-$1\" &", "echo started");

    ExecTask.Ran ran =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () -> (ExecTask.Ran) bound("cmd=sh " + spawn + " {}").apply(marker));

    assertThat(ran.stdout()).isEqualTo("started\n");
    awaitNoneAlive(marker, Set.of());
  }

  /** A time limit or a cancel interrupts the item: the command and its background child go. */
  @Test
  void exec_interrupted_stopsWholeSession() throws Exception {
    String marker = marker();
    Path spawn = script("spawn.sh", "sh -c 'sleep 300; :' \"bg-$1\" &", "sleep 300");

    assertInterruptLeavesNothing(bound("cmd=sh " + spawn + " {}"), marker);
  }

  /** Processes that ignore SIGTERM are killed after the grace. */
  @Test
  void exec_interrupted_killsWhatIgnoresSigterm() throws Exception {
    String marker = marker();
    Path stubborn =
        script("stubborn.sh", "trap '' TERM", "sh -c 'sleep 300; :' \"bg-$1\" &", "sleep 300");

    assertInterruptLeavesNothing(bound("cmd=sh " + stubborn + " {}"), marker);
  }

  private void assertInterruptLeavesNothing(ItemFunction f, String marker) throws Exception {
    AtomicReference<Thread> runner = new AtomicReference<>();
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread thread =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    result.complete(f.apply(marker));
                  } catch (Throwable e) {
                    result.completeExceptionally(e);
                  }
                });
    runner.set(thread);
    Set<ProcessHandle> seen = new LinkedHashSet<>();
    await("the command and its background child running")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              seen.addAll(withMarker(marker));
              seen.addAll(descendantsOf(seen));
              assertThat(seen.stream().filter(p -> commandLine(p).contains("bg-" + marker)))
                  .isNotEmpty();
              assertThat(seen).hasSizeGreaterThanOrEqualTo(3); // script, bg shell, sleeps
            });

    runner.get().interrupt();

    assertThatThrownBy(() -> result.get(20, java.util.concurrent.TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(InterruptedException.class);
    awaitNoneAlive(marker, seen);
  }

  private static void awaitNoneAlive(String marker, Set<ProcessHandle> seen) {
    await("no process of the command left")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(withMarker(marker)).isEmpty();
              assertThat(seen.stream().filter(ProcessHandle::isAlive).toList()).isEmpty();
            });
  }

  private static Map<String, String> environmentOf(ItemFunction f) throws Exception {
    // "env printenv": env runs printenv with the environment it was given.
    ExecTask.Ran ran = (ExecTask.Ran) f.apply("printenv");
    return ran.stdout()
        .lines()
        .collect(
            Collectors.toMap(
                l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
  }

  private static String marker() {
    return "crew-exec-test-" + UUID.randomUUID();
  }

  /** Live processes whose command line holds {@code marker} (zombies, which hold none, aside). */
  static List<ProcessHandle> withMarker(String marker) {
    return ProcessHandle.allProcesses()
        .filter(p -> commandLine(p).contains(marker))
        .filter(ProcessHandle::isAlive)
        .toList();
  }

  private static List<ProcessHandle> descendantsOf(Set<ProcessHandle> roots) {
    List<ProcessHandle> all = new ArrayList<>();
    for (ProcessHandle root : roots) {
      root.descendants().forEach(all::add);
    }
    return all;
  }

  private static String commandLine(ProcessHandle p) {
    return p.info().arguments().map(args -> String.join(" ", args)).orElse("");
  }
}
