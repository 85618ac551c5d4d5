package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' search for a JDK 21+ ({@code crew_find_jdk} in {@code bin/lib/jdk.sh}), run by
 * bash against JDK folders made for the test: each one's {@code bin/java} is a script that records
 * that it ran and prints the version line a real JDK prints, and most have the {@code release} file
 * every JDK since 9 ships. The search reads a version from that file without starting a JVM (about
 * 0.1 s each on 2 cores, four times per launcher start before) and runs {@code java -version} only
 * where the file is missing. Also the launchers' choice of collector ({@code crew_gc}), which gives
 * way to one chosen in {@code CREW_JAVA_OPTS}.
 */
class JdkSearchIT {
  @TempDir Path dir;
  private Path jvms;
  private Path onPath;
  private Path runs;

  @BeforeEach
  void setUp() throws IOException {
    jvms = Files.createDirectories(dir.resolve("jvm"));
    onPath = Files.createDirectories(dir.resolve("path"));
    runs = dir.resolve("runs.txt");
    Files.writeString(runs, "");
    // PATH is this folder alone: the machine's own java (in /usr/bin) must not be found.
    for (String tool : List.of("readlink", "dirname", "sed", "head", "find", "mkdir", "cat")) {
      Path real = Path.of("/usr/bin", tool);
      Files.createSymbolicLink(
          onPath.resolve(tool), Files.exists(real) ? real : Path.of("/bin", tool));
    }
  }

  @Test
  void newestJdkUnderTheJvmFolder_fromReleaseFiles_withoutStartingOne() throws Exception {
    jdk("jdk-17", "17.0.15", true);
    jdk("jdk-21", "21.0.7", true);
    jdk("jdk-25", "25.0.3", true);

    Search found = search();

    assertThat(found.exit).isZero();
    assertThat(found.out).isEqualTo(jvms.resolve("jdk-25").toRealPath() + " 25");
    assertThat(javaRuns()).isEmpty();
  }

  @Test
  void javaOnThePath_resolvedToItsJdk_isTakenWithoutStartingIt() throws Exception {
    Path jdk21 = jdk("jdk-21", "21.0.7", true);
    jdk("jdk-25", "25.0.3", true);
    Files.createSymbolicLink(onPath.resolve("java"), jdk21.resolve("bin/java"));

    Search found = search();

    assertThat(found.out).isEqualTo(jdk21.toRealPath() + " 21");
    assertThat(javaRuns()).isEmpty();
  }

  @Test
  void javaOnThePath_tooOld_isPassedOverWithoutStartingIt() throws Exception {
    Path jdk17 = jdk("jdk-17", "17.0.15", true);
    jdk("jdk-21", "21.0.7", true);
    Files.createSymbolicLink(onPath.resolve("java"), jdk17.resolve("bin/java"));

    Search found = search();

    assertThat(found.out).isEqualTo(jvms.resolve("jdk-21").toRealPath() + " 21");
    assertThat(javaRuns()).isEmpty();
  }

  @Test
  void aJdkWithoutReleaseFile_isAskedForItsVersion() throws Exception {
    jdk("jdk-21", "21.0.7", true);
    jdk("jdk-23", "23.0.2", false);

    Search found = search();

    assertThat(found.out).isEqualTo(jvms.resolve("jdk-23").toRealPath() + " 23");
    assertThat(javaRuns()).contains("jdk-23");
  }

  @Test
  void noJdkNewEnough_oneLineAndExit1() throws Exception {
    jdk("jdk-17", "17.0.15", true);
    jdk("jdk-11", "11.0.2", false);
    jdk("jdk-8", "1.8.0_412", true);

    Search found = search();

    assertThat(found.exit).isEqualTo(1);
    assertThat(found.err.lines().toList())
        .containsExactly(
            "crew: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH, "
                + jvms
                + "); install one, e.g. Temurin 21, and set JAVA_HOME");
  }

  @Test
  void collector_theLaunchersUnlessCrewJavaOptsChoosesOne() throws Exception {
    // The JVM refuses to start with two collectors chosen.
    assertThat(gc("", "-XX:+UseSerialGC")).isEqualTo("-XX:+UseSerialGC");
    assertThat(gc("-Xmx1g -XX:+UseGCOverheadLimit -XX:+PrintGC", "-XX:+UseG1GC"))
        .isEqualTo("-XX:+UseG1GC");
    assertThat(gc("-Xmx1g -XX:+UseZGC", "-XX:+UseSerialGC")).isEmpty();
    assertThat(gc("-XX:+UseParallelGC", "-XX:+UseG1GC")).isEmpty();
    assertThat(gc("-XX:+UseG1GC -Xss1m", "-XX:+UseSerialGC")).isEmpty();
  }

  /** What {@code crew_gc OPTION} prints with {@code CREW_JAVA_OPTS} set to {@code javaOpts}. */
  private String gc(String javaOpts, String option) throws Exception {
    Path jdkSh = CrewLaunchers.crewHome().resolve("bin/lib/jdk.sh");
    ProcessBuilder builder =
        new ProcessBuilder(
                "/bin/bash",
                "-c",
                "set -euo pipefail; source \"$1\"; crew_gc \"$2\"",
                "gc",
                jdkSh.toString(),
                option)
            .redirectErrorStream(true);
    builder.environment().put("CREW_JAVA_OPTS", javaOpts);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("crew_gc ended").isTrue();
    assertThat(process.exitValue()).as("crew_gc's exit; it printed: %s", out).isZero();
    return out.strip();
  }

  /** A JDK folder: bin/java (a script that records its runs), bin/javac, and a release file. */
  private Path jdk(String name, String version, boolean releaseFile) throws IOException {
    Path home = jvms.resolve(name);
    Path bin = Files.createDirectories(home.resolve("bin"));
    script(
        bin.resolve("java"),
        "echo " + name + " >> '" + runs + "'\n" + "echo 'openjdk version \"" + version + "\"' >&2");
    script(bin.resolve("javac"), "exit 0");
    if (releaseFile) {
      Files.writeString(
          home.resolve("release"),
          "IMPLEMENTOR=\"Test\"\nJAVA_RUNTIME_VERSION=\""
              + version
              + "+1\"\nJAVA_VERSION=\""
              + version
              + "\"\n");
    }
    return home;
  }

  private static void script(Path file, String body) throws IOException {
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private List<String> javaRuns() throws IOException {
    return Files.readAllLines(runs);
  }

  private record Search(int exit, String out, String err) {}

  /**
   * Sources {@code bin/lib/jdk.sh} in bash with no JAVA_HOME, only the test's folder on PATH, and
   * the test's JVM folder; prints the JDK found and its major version.
   */
  private Search search() throws Exception {
    Path jdkSh = CrewLaunchers.crewHome().resolve("bin/lib/jdk.sh");
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    ProcessBuilder builder =
        new ProcessBuilder(
                "/bin/bash",
                "-c",
                "set -euo pipefail; source \"$1\"; crew_find_jdk;"
                    + " printf '%s %s\\n' \"$JAVA_HOME\" \"$(crew_home_major \"$JAVA_HOME\")\"",
                "search",
                jdkSh.toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().remove("JAVA_HOME");
    builder.environment().put("PATH", onPath.toString());
    builder.environment().put("CREW_JVM_DIR", jvms.toString());
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the search ended").isTrue();
    return new Search(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8).strip(),
        Files.readString(err, StandardCharsets.UTF_8).strip());
  }
}
