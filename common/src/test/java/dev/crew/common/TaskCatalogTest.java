package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskCatalogTest {

  /** The eight built-ins and their lanes, as their documentation describes them. */
  private static final Map<String, Lane> BUILT_INS =
      Map.of(
          "fib", Lane.CPU,
          "sum-squares", Lane.CPU,
          "primes", Lane.CPU,
          "sha256", Lane.CPU,
          "http-get", Lane.IO,
          "sleep", Lane.IO,
          "noop", Lane.CPU,
          "exec", Lane.CPU);

  @Test
  void advertised_canLeaveOutTasksThatRunCommands() {
    String advertised = TaskCatalog.builtIn().advertised(task -> !task.runsCommands());
    assertThat(advertised).doesNotContain("exec").contains("fib:cpu");
  }

  @Test
  void builtIn_findsEveryBuiltInByName() {
    TaskCatalog catalog = TaskCatalog.builtIn();

    for (Map.Entry<String, Lane> e : BUILT_INS.entrySet()) {
      assertThat(catalog.find(e.getKey()))
          .as("task %s", e.getKey())
          .hasValueSatisfying(
              task -> {
                assertThat(task.name()).isEqualTo(e.getKey());
                assertThat(task.lane()).isEqualTo(e.getValue());
                assertThat(task.description()).isNotBlank();
              });
    }
    assertThat(catalog.all())
        .extracting(Task::name)
        .containsExactlyInAnyOrderElementsOf(BUILT_INS.keySet());
  }

  @Test
  void builtIn_unknownNameIsEmpty() {
    assertThat(TaskCatalog.builtIn().find("no-such-task")).isEmpty();
  }

  @Test
  void builtIn_namesAreLowerCaseWithoutSpaces() {
    assertThat(TaskCatalog.builtIn().all())
        .extracting(Task::name)
        .allSatisfy(name -> assertThat(name).matches("[a-z0-9-]+"));
  }

  @Test
  void all_isSortedAndUnmodifiable() {
    TaskCatalog catalog = TaskCatalog.builtIn();

    assertThat(catalog.all()).extracting(Task::name).isSorted();
    assertThatThrownBy(() -> catalog.all().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void advertised_nameColonLaneCommaSeparated() {
    String expected =
        new TreeMap<>(BUILT_INS)
            .entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue().name().toLowerCase(java.util.Locale.ROOT))
                .collect(Collectors.joining(","));

    String advertised = TaskCatalog.builtIn().advertised();

    assertThat(advertised).isEqualTo(expected);
    assertThat(advertised.split(","))
        .hasSize(8)
        .allSatisfy(pair -> assertThat(pair).matches("[a-z0-9-]+:(cpu|io)"));
  }

  @Test
  void load_loaderWithoutTasksIsEmpty() throws IOException {
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      TaskCatalog catalog = TaskCatalog.load(empty);

      assertThat(catalog.all()).isEmpty();
      assertThat(catalog.advertised()).isEmpty();
    }
  }

  @Test
  void load_pluginAddsTask(@TempDir Path dir) throws IOException {
    try (URLClassLoader loader = pluginLoader(dir, ExtraTask.class)) {
      TaskCatalog catalog = TaskCatalog.load(loader);

      assertThat(catalog.find("extra")).containsInstanceOf(ExtraTask.class);
      assertThat(catalog.all()).hasSize(BUILT_INS.size() + 1);
      assertThat(catalog.advertised()).contains("extra:io");
    }
  }

  @Test
  void load_duplicateNameRefused(@TempDir Path dir) throws IOException {
    try (URLClassLoader loader = pluginLoader(dir, OtherFib.class)) {
      assertThatThrownBy(() -> TaskCatalog.load(loader))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'fib'")
          .hasMessageContaining(OtherFib.class.getName());
    }
  }

  private static URLClassLoader pluginLoader(Path dir, Class<? extends Task> provider)
      throws IOException {
    return pluginLoader(dir, Task.class, provider);
  }

  /**
   * A class loader over the test classpath plus a services file naming {@code provider} for {@code
   * service}, as a plugin jar would.
   */
  static <T> URLClassLoader pluginLoader(Path dir, Class<T> service, Class<? extends T> provider)
      throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.write(services.resolve(service.getName()), List.of(provider.getName()));
    return new URLClassLoader(
        new URL[] {dir.toUri().toURL()}, TaskCatalogTest.class.getClassLoader());
  }

  public static final class ExtraTask implements Task {
    @Override
    public String name() {
      return "extra";
    }

    @Override
    public Lane lane() {
      return Lane.IO;
    }

    @Override
    public String description() {
      return "test plugin";
    }

    @Override
    public ItemFunction bind(Params params) {
      return item -> item;
    }
  }

  public static final class OtherFib implements Task {
    @Override
    public String name() {
      return "fib";
    }

    @Override
    public Lane lane() {
      return Lane.CPU;
    }

    @Override
    public String description() {
      return "an impostor";
    }

    @Override
    public ItemFunction bind(Params params) {
      return item -> 0L;
    }
  }
}
