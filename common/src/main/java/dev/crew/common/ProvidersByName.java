package dev.crew.common;

import java.util.Collections;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/** The providers of a named service that one class loader sees: how the catalogs load. */
final class ProvidersByName {
  private ProvidersByName() {}

  /**
   * Every provider of {@code service} that {@code loader} can see, by {@code name}, unmodifiable;
   * two classes giving one name are refused loudly (the same class twice, from two jars, is not).
   *
   * @param kind what the providers are, plural, for the message (e.g. {@code tasks})
   */
  static <T> SortedMap<String, T> load(
      Class<T> service, ClassLoader loader, Function<T, String> name, String kind) {
    SortedMap<String, T> byName = new TreeMap<>();
    for (T provider : ServiceLoader.load(service, loader)) {
      T previous = byName.putIfAbsent(name.apply(provider), provider);
      if (previous != null && previous.getClass() != provider.getClass()) {
        throw new IllegalStateException(
            "two "
                + kind
                + " are named '"
                + name.apply(provider)
                + "': "
                + previous.getClass().getName()
                + " and "
                + provider.getClass().getName());
      }
    }
    return Collections.unmodifiableSortedMap(byName);
  }
}
