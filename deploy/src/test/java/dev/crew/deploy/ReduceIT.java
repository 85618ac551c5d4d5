package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Reducer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --reduce} through the real {@code bin/coordinator run}: the built-in mean and histogram,
 * and a reduction from a plugin jar built here, in a folder named by {@code CREW_PLUGINS}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class ReduceIT {
  /** A plugin as a user writes one, against the crew-common jar alone. */
  private static final String PLUGIN_SOURCE =
      """
      package example;

      import dev.crew.common.Reducer;
      import java.math.BigDecimal;

      public final class ProductReducer implements Reducer {
        public String name() { return "product"; }
        public String description() { return "the exact product of the numeric results"; }

        public Accumulator start() {
          return new Accumulator() {
            private BigDecimal product = BigDecimal.ONE;

            public boolean add(String json) {
              try {
                product = product.multiply(new BigDecimal(json));
                return true;
              } catch (NumberFormatException e) {
                return false;
              }
            }

            public String result() { return product.toPlainString(); }
          };
        }
      }
      """;

  private CrewLaunchers crew;
  private Path plugins;

  @BeforeAll
  void buildJarsAndThePlugin(@TempDir Path work) throws IOException, URISyntaxException {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    plugins = Files.createDirectories(work.resolve("plugins"));
    buildPluginJar(work.resolve("plugin"), plugins.resolve("product-reducer.jar"));
  }

  @AfterEach
  void stopChildren() {
    crew.stopAll();
  }

  @AfterAll
  void close() {
    if (crew != null) {
      crew.close();
    }
  }

  @Test
  void reduceMean_exact() {
    CrewLaunchers.Run run = succeeded(reduce(Map.of(), "mean"));

    assertThat(run.stdoutLines()).as(run::describe).containsExactly("50.5");
  }

  @Test
  void reduceHistogram_oneJsonObjectWithExactValues() {
    CrewLaunchers.Run run = succeeded(reduce(Map.of(), "histogram"));

    assertThat(run.stdoutLines())
        .as(run::describe)
        .containsExactly(
            "{\"count\":100,\"min\":1,\"max\":100,\"mean\":50.5,\"p50\":50,\"p90\":90,\"p99\":99,"
                + "\"p999\":100,\"bins\":[{\"from\":1,\"to\":10.9,\"count\":10},"
                + "{\"from\":10.9,\"to\":20.8,\"count\":10},{\"from\":20.8,\"to\":30.7,\"count\":10},"
                + "{\"from\":30.7,\"to\":40.6,\"count\":10},{\"from\":40.6,\"to\":50.5,\"count\":10},"
                + "{\"from\":50.5,\"to\":60.4,\"count\":10},{\"from\":60.4,\"to\":70.3,\"count\":10},"
                + "{\"from\":70.3,\"to\":80.2,\"count\":10},{\"from\":80.2,\"to\":90.1,\"count\":10},"
                + "{\"from\":90.1,\"to\":100,\"count\":10}]}");
  }

  @Test
  void reducePlugin_fromTheJarInCrewPlugins() {
    BigInteger factorial = BigInteger.ONE;
    for (int i = 2; i <= 100; i++) {
      factorial = factorial.multiply(BigInteger.valueOf(i));
    }

    CrewLaunchers.Run run = succeeded(reduce(withPlugins(), "product"));

    assertThat(run.stdoutLines()).as(run::describe).containsExactly(factorial.toString());
  }

  @Test
  void reduceUnknown_oneLineNamingThePluginsToo_exit2() {
    CrewLaunchers.Run run = reduce(withPlugins(), "nope");

    assertThat(run.exitCode()).as(run::describe).isEqualTo(2);
    assertThat(run.stdoutLines()).as(run::describe).isEmpty();
    assertThat(run.programStderrLines())
        .as(run::describe)
        .containsExactly(
            "coordinator: bad --reduce 'nope'"
                + " (known: count, histogram, max, mean, min, product, sum)");
  }

  /** {@code bin/coordinator run noop --range 1..100 --reduce REDUCTION}. */
  private CrewLaunchers.Run reduce(Map<String, String> env, String reduction) {
    return crew.coordinator(
        "reduce-" + reduction,
        CrewLaunchers.RUN_TIMEOUT,
        env,
        "run",
        "noop",
        "--range",
        "1..100",
        "--reduce",
        reduction);
  }

  private static CrewLaunchers.Run succeeded(CrewLaunchers.Run run) {
    assertThat(run.exitCode()).as(run::describe).isZero();
    assertThat(run.programStderrLines())
        .as(run::describe)
        .anySatisfy(line -> assertThat(line).contains(": 100 ok, 0 failed in "));
    return run;
  }

  /**
   * The plugin folder, and no class cache: an archive would be trained on the plugin jar in the
   * background, for a folder that is gone when this test ends.
   */
  private Map<String, String> withPlugins() {
    return Map.of("CREW_PLUGINS", plugins.toString(), "CREW_CLASS_CACHE", "0");
  }

  /**
   * Compiles {@link #PLUGIN_SOURCE} against the crew-common jar and jars it with its services file.
   */
  private static void buildPluginJar(Path build, Path jar) throws IOException, URISyntaxException {
    Path source = build.resolve("src/example/ProductReducer.java");
    Path classes = build.resolve("classes");
    Files.createDirectories(source.getParent());
    Files.createDirectories(classes);
    Files.writeString(source, PLUGIN_SOURCE);
    Path common =
        Path.of(Reducer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler in the test JVM").isNotNull();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status =
        javac.run(
            null,
            diagnostics,
            diagnostics,
            "--release",
            "21",
            "-classpath",
            common.toString(),
            "-d",
            classes.toString(),
            source.toString());
    assertThat(status).as(() -> "javac of the plugin:\n" + diagnostics).isZero();

    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        Stream<Path> compiled = Files.walk(classes)) {
      for (Path classFile : compiled.filter(p -> p.toString().endsWith(".class")).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(classFile).toString().replace('\\', '/')));
        Files.copy(classFile, out);
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/" + Reducer.class.getName()));
      out.write("example.ProductReducer\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    List<String> entries;
    try (JarFile built = new JarFile(jar.toFile())) {
      entries = built.stream().map(JarEntry::getName).toList();
    }
    assertThat(entries).contains("example/ProductReducer.class", "example/ProductReducer$1.class");
  }
}
