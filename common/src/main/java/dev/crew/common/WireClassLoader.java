package dev.crew.common;

import com.hazelcast.nio.serialization.DataSerializable;
import java.util.List;
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
 * filter for zero-config Compact). This loader is where those lookups arrive, so it refuses there:
 *
 * <ul>
 *   <li>any class for a Compact type name: Crew and Hazelcast register every type they send with an
 *       explicit serializer, so a name that would need a class is foreign;
 *   <li>for the class name of a {@code DataSerializable}, any class but Hazelcast's own {@code
 *       DataSerializable}s (its entry events between members are such; Crew has none);
 *   <li>otherwise, anything but JDK classes, Hazelcast's and Crew's (Hazelcast loads merge policies
 *       and its own hooks by name; Java serialization is also filtered by name in {@link
 *       ClusterConfigs}).
 * </ul>
 *
 * <p>A refusal throws {@link SecurityException}, not {@link ClassNotFoundException}: Hazelcast
 * answers a missing class by trying the thread's context loader and then its own, which would find
 * it. A refused Compact value reads as a {@code GenericRecord}; a refused {@code DataSerializable}
 * or Java-serialized value fails to read. Each refusal is counted, and logged once per name.
 *
 * <p>Hazelcast caches per loader the classes and constructors it has looked up, and asks the loader
 * only on a miss: a class it once resolved here by name outside those two doors (Crew's merge
 * policies, the JDK and Hazelcast classes of a Java-serialized exception) can then be named at them
 * too. Only JDK, Hazelcast and Crew classes ever pass this loader, so no other library's class can.
 */
public final class WireClassLoader extends ClassLoader {
  private static final Logger log = LoggerFactory.getLogger(WireClassLoader.class);

  /** Distinct refused names logged; an attacker naming ever new classes is counted, not logged. */
  private static final int MOST_NAMES_LOGGED = 1_000;

  /** Hazelcast's class that looks classes up by name for its callers. */
  static final String CLASS_LOADER_UTIL = "com.hazelcast.internal.nio.ClassLoaderUtil";

  /** What asks for a class by a name read off the wire. */
  enum Door {
    COMPACT("a Compact type name"),
    DATA_SERIALIZABLE("a DataSerializable class name");

    private final String named;

    Door(String named) {
      this.named = named;
    }
  }

  /** A Hazelcast method that asks for a class by a name read off the wire, at {@code door}. */
  record DoorFrame(String className, String method, Door door) {}

  /** By Hazelcast 5.6's own names: {@code WireClassLoaderTest} fails if they change. */
  static final List<DoorFrame> DOORS =
      List.of(
          new DoorFrame(
              "com.hazelcast.internal.serialization.impl.compact.CompactStreamSerializer",
              "getOrCreateRegistration0",
              Door.COMPACT),
          new DoorFrame(
              "com.hazelcast.internal.serialization.impl.DataSerializableSerializer",
              "readInternal",
              Door.DATA_SERIALIZABLE),
          new DoorFrame(
              "com.hazelcast.internal.serialization.impl.VersionedDataSerializableSerializer",
              "readDataSerializable",
              Door.DATA_SERIALIZABLE));

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
    Optional<Door> door = door();
    if (door.isPresent()) {
      if (door.get() == Door.DATA_SERIALIZABLE && hazelcastDataSerializable(name)) {
        return super.loadClass(name, resolve);
      }
      throw refuse(name, door.get().named);
    }
    if (name.startsWith("com.hazelcast.") || name.startsWith("dev.crew.")) {
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

  /** Loading does not initialize: the class is checked before Hazelcast makes one. */
  private boolean hazelcastDataSerializable(String name) {
    if (!name.startsWith("com.hazelcast.")) {
      return false;
    }
    try {
      return DataSerializable.class.isAssignableFrom(super.loadClass(name, false));
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static boolean jdkName(String name) {
    return name.startsWith("java.")
        || name.startsWith("javax.")
        || name.startsWith("jdk.")
        || name.startsWith("sun.")
        || name.startsWith("com.sun.");
  }

  /**
   * The door the class is asked for at, if any: the first frame below the lookup itself (this
   * loader, the JDK's and Hazelcast's class loading). Only that frame counts, not one further down:
   * a class that a value read through a door loads while it reads itself was not named there.
   */
  private static Optional<Door> door() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames
                    .dropWhile(WireClassLoader::lookingUp)
                    .findFirst()
                    .flatMap(WireClassLoader::door));
  }

  private static boolean lookingUp(StackWalker.StackFrame frame) {
    String caller = frame.getClassName();
    return caller.equals(WireClassLoader.class.getName())
        || caller.equals("java.lang.ClassLoader")
        || caller.equals("java.lang.Class")
        || caller.equals(CLASS_LOADER_UTIL);
  }

  /**
   * The door a frame is, if any. The same classes also load Hazelcast's hooks by name when they
   * start, from other methods.
   */
  private static Optional<Door> door(StackWalker.StackFrame frame) {
    return DOORS.stream()
        .filter(
            d ->
                d.className().equals(frame.getClassName())
                    && d.method().equals(frame.getMethodName()))
        .map(DoorFrame::door)
        .findFirst();
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
