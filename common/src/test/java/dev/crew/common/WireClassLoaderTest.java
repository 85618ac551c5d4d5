package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WireClassLoaderTest {

  /**
   * The loader knows a lookup by the Hazelcast method that asks for it: on an upgrade that renames
   * one, this fails instead of the door silently opening.
   */
  @Test
  void doors_areMethodsOfThisHazelcast() throws ClassNotFoundException {
    for (WireClassLoader.DoorFrame door : WireClassLoader.DOORS) {
      assertThat(Arrays.stream(Class.forName(door.className()).getDeclaredMethods()))
          .as(door.className())
          .extracting(Method::getName)
          .contains(door.method());
    }
    assertThat(Arrays.stream(Class.forName(WireClassLoader.CLASS_LOADER_UTIL).getMethods()))
        .extracting(Method::getName)
        .contains("loadClass", "newInstance");
  }
}
