package dev.crew.common;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The class loader of Crew's Hazelcast members and clients: it resolves only the classes a value
 * from the wire may name, so that no sender can have any other class loaded or instantiated.
 *
 * <p>Hazelcast 5.6 resolves some names it reads off the wire through its config's class loader: the
 * type name of a Compact value without a registered serializer (which it then instantiates
 * reflectively, or through a record's canonical constructor), the class name of a {@code
 * DataSerializable} that is not identified (instantiated before it is even checked to be one), and
 * the classes of a Java-serialized stream. It has no switch to turn the first two off (5.7 adds a
 * filter for zero-config Compact). This loader is the one point all three go through, so it refuses
 * there:
 *
 * <ul>
 *   <li>any class for a Compact type name but Hazelcast's: Crew registers every type it stores
 *       under its own name with an explicit serializer, so a name that would need a class is
 *       foreign;
 *   <li>any class for a non-identified {@code DataSerializable} but Hazelcast's (its entry events
 *       between members are such): Crew has none;
 *   <li>otherwise, anything but JDK classes, Hazelcast's and Crew's (Hazelcast loads merge policies
 *       and its own hooks by name; Java serialization is also filtered by name in {@link
 *       ClusterConfigs}).
 * </ul>
 *
 * <p>A refusal throws {@link SecurityException}, not {@link ClassNotFoundException}: Hazelcast
 * answers a missing class by trying the thread's context loader and then its own, which would find
 * it. A refused Compact value reads as a {@code GenericRecord}; a refused {@code DataSerializable}
 * or Java-serialized value fails to read. Each refusal is counted, and logged once per name.
 */
public final class WireClassLoader extends ClassLoader {
  private static final Logger log = LoggerFactory.getLogger(WireClassLoader.class);

  /** Distinct refused names logged; an attacker naming ever new classes is counted, not logged. */
  private static final int MOST_NAMES_LOGGED = 1_000;

  private static final String COMPACT =
      "com.hazelcast.internal.serialization.impl.compact.CompactStreamSerializer";
  private static final String DATA_SERIALIZABLE =
      "com.hazelcast.internal.serialization.impl.DataSerializableSerializer";
  private static final String VERSIONED_DATA_SERIALIZABLE =
      "com.hazelcast.internal.serialization.impl.VersionedDataSerializableSerializer";

  /** Frames between a name's reader and this loader (Hazelcast's lookup, the JDK's array path). */
  private static final int CALLER_DEPTH = 24;

  private static final LongAdder REFUSED = new LongAdder();
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

  WireClassLoader(ClassLoader parent) {
    super("crew-wire", parent);
  }

  /** Names refused since this JVM started, by all of Crew's members and clients in it. */
  public static long refused() {
    return REFUSED.sum();
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.startsWith("com.hazelcast.")) {
      // Hazelcast's own, some of them non-identified DataSerializables (entry events between
      // members); a sender can name any of Hazelcast's identified types anyway.
      return super.loadClass(name, resolve);
    }
    Optional<String> door = door();
    if (door.isPresent()) {
      throw refuse(name, door.get());
    }
    if (name.startsWith("dev.crew.")) {
      return super.loadClass(name, resolve);
    }
    if (jdkName(name)) {
      // Loading does not initialize; a library's class under a JDK-like name is refused below.
      Class<?> loaded = super.loadClass(name, resolve);
      ClassLoader definer = loaded.getClassLoader();
      if (definer == null || definer == PLATFORM) {
        return loaded;
      }
    }
    throw refuse(name, "a class name");
  }

  private static boolean jdkName(String name) {
    return name.startsWith("java.")
        || name.startsWith("javax.")
        || name.startsWith("jdk.")
        || name.startsWith("sun.")
        || name.startsWith("com.sun.");
  }

  /** What asks for the class, if it is one that may name none. */
  private static Optional<String> door() {
    return StackWalker.getInstance()
        .walk(frames -> frames.limit(CALLER_DEPTH).flatMap(f -> door(f).stream()).findFirst());
  }

  /**
   * The frames that resolve a name read off the wire, by Hazelcast's own method names (a test fails
   * if they change): the same classes also load Hazelcast's hooks by name when they start.
   */
  private static Optional<String> door(StackWalker.StackFrame frame) {
    String caller = frame.getClassName();
    String method = frame.getMethodName();
    if (caller.equals(COMPACT) && method.equals("getOrCreateRegistration0")) {
      return Optional.of("a Compact type name");
    }
    if ((caller.equals(DATA_SERIALIZABLE) && method.equals("readInternal"))
        || (caller.equals(VERSIONED_DATA_SERIALIZABLE) && method.equals("readDataSerializable"))) {
      return Optional.of("a DataSerializable class name");
    }
    return Optional.empty();
  }

  private static SecurityException refuse(String name, String door) {
    REFUSED.increment();
    if (LOGGED.size() < MOST_NAMES_LOGGED && LOGGED.add(name)) {
      log.warn("Refused class '{}', named by {} from the cluster", printable(name), door);
    }
    return new SecurityException(
        "class '" + printable(name) + "' is not one Crew accepts on the wire");
  }

  /** The sender chose the name: no control characters into the log, and not all of a long one. */
  private static String printable(String name) {
    String shown = name.length() > 200 ? name.substring(0, 200) + "..." : name;
    return shown
        .codePoints()
        .map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }
}
