package dev.crew.common;

import java.util.Collection;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The reductions visible to one class loader, by name: the built-ins plus any plugin jars on the
 * classpath.
 */
public final class ReducerCatalog {
  private final SortedMap<String, Reducer> byName;

  private ReducerCatalog(SortedMap<String, Reducer> byName) {
    this.byName = byName;
  }

  /**
   * Loads every {@link Reducer} that {@code loader} can see; a later duplicate name is refused
   * loudly.
   */
  public static ReducerCatalog load(ClassLoader loader) {
    return new ReducerCatalog(
        ProvidersByName.load(Reducer.class, loader, Reducer::name, "reductions"));
  }

  /** The reductions on this program's own classpath. */
  public static ReducerCatalog builtIn() {
    return load(ReducerCatalog.class.getClassLoader());
  }

  public Optional<Reducer> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Every reduction, sorted by name. */
  public Collection<Reducer> all() {
    return byName.values();
  }
}
