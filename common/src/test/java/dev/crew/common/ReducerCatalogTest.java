package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.reducers.SumReducer;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReducerCatalogTest {
  private static final List<String> BUILT_INS =
      List.of("count", "histogram", "max", "mean", "min", "sum");

  @Test
  void builtIn_findsEveryBuiltInByNameWithADescription() {
    ReducerCatalog catalog = ReducerCatalog.builtIn();

    for (String name : BUILT_INS) {
      assertThat(catalog.find(name))
          .as("reduction %s", name)
          .hasValueSatisfying(
              reducer -> {
                assertThat(reducer.name()).isEqualTo(name);
                assertThat(reducer.description()).isNotBlank().doesNotContain("\n");
              });
    }
    assertThat(catalog.find("avg")).isEmpty();
  }

  @Test
  void builtIn_findsThePluginListedInTheTestClassPathsServices() {
    ReducerCatalog catalog = ReducerCatalog.builtIn();

    assertThat(catalog.find("longest")).containsInstanceOf(LongestStringReducer.class);
    assertThat(catalog.all())
        .extracting(Reducer::name)
        .containsExactly("count", "histogram", "longest", "max", "mean", "min", "sum");
    Reducer.Accumulator longest = catalog.find("longest").orElseThrow().start();
    assertThat(longest.add("\"ab\"")).isTrue();
    assertThat(longest.add("12345")).isFalse();
    assertThat(longest.add("\"abc\"")).isTrue();
    assertThat(longest.result()).isEqualTo("\"abc\"");
  }

  @Test
  void all_isSortedLowerCaseAndUnmodifiable() {
    ReducerCatalog catalog = ReducerCatalog.builtIn();

    assertThat(catalog.all()).extracting(Reducer::name).isSorted();
    assertThat(catalog.all())
        .extracting(Reducer::name)
        .allSatisfy(name -> assertThat(name).matches("[a-z0-9-]+"));
    assertThatThrownBy(() -> catalog.all().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void start_givesAFreshAccumulatorEachTime() {
    Reducer sum = ReducerCatalog.builtIn().find("sum").orElseThrow();
    Reducer.Accumulator first = sum.start();
    first.add("5");

    assertThat(sum.start().result()).isEqualTo("0");
    assertThat(first.result()).isEqualTo("5");
  }

  @Test
  void load_loaderWithoutReducersIsEmpty() throws IOException {
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      assertThat(ReducerCatalog.load(empty).all()).isEmpty();
    }
  }

  @Test
  void load_duplicateNameRefused(@TempDir Path dir) throws IOException {
    try (URLClassLoader loader = TaskCatalogTest.pluginLoader(dir, Reducer.class, OtherSum.class)) {
      assertThatThrownBy(() -> ReducerCatalog.load(loader))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("two reductions are named 'sum'")
          .hasMessageContaining(SumReducer.class.getName())
          .hasMessageContaining(OtherSum.class.getName());
    }
  }

  public static final class OtherSum implements Reducer {
    @Override
    public String name() {
      return "sum";
    }

    @Override
    public String description() {
      return "an impostor";
    }

    @Override
    public Accumulator start() {
      return new SumReducer().start();
    }
  }
}
