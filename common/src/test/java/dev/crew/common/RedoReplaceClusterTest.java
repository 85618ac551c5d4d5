package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link Redo#replace} on a real member's map, seen through a proxy that fails the first
 * compare-and-set as Hazelcast fails a write whose backup never confirmed it: after the write, or
 * before it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedoReplaceClusterTest {
  private HazelcastInstance member;

  @BeforeAll
  void start() {
    member = IsolatedMember.start("redo");
  }

  @AfterAll
  void stop() {
    member.shutdown();
  }

  @Test
  void replace_whoseFirstAttemptLandedButFailedIndeterminate_countsAsReplaced() {
    IMap<String, String> real = member.getMap("landed");
    real.put("job", "SUBMITTING");
    AtomicInteger attempts = new AtomicInteger();

    boolean replaced =
        Redo.replace(failingFirstReplace(real, true, attempts), "job", "SUBMITTING", "CANCELLED");

    assertThat(replaced).isTrue();
    assertThat(real.get("job")).isEqualTo("CANCELLED");
    assertThat(attempts).as("replace calls: the failed one and its redo").hasValue(2);
  }

  @Test
  void replace_whoseFirstAttemptFailedBeforeLanding_isRedone() {
    IMap<String, String> real = member.getMap("lost");
    real.put("job", "SUBMITTING");
    AtomicInteger attempts = new AtomicInteger();

    boolean replaced =
        Redo.replace(failingFirstReplace(real, false, attempts), "job", "SUBMITTING", "CANCELLED");

    assertThat(replaced).isTrue();
    assertThat(real.get("job")).isEqualTo("CANCELLED");
    assertThat(attempts).hasValue(2);
  }

  @Test
  void replace_findingAnotherValue_isNotReplaced_evenAfterAnOpenFirstAttempt() {
    IMap<String, String> real = member.getMap("other");
    real.put("job", "DONE");

    assertThat(Redo.replace(real, "job", "SUBMITTING", "CANCELLED")).isFalse();
    assertThat(
            Redo.replace(
                failingFirstReplace(real, false, new AtomicInteger()),
                "job",
                "SUBMITTING",
                "CANCELLED"))
        .isFalse();
    assertThat(real.get("job")).isEqualTo("DONE");
  }

  @Test
  void replace_otherFailuresAreThrown() {
    @SuppressWarnings("unchecked")
    IMap<String, String> broken =
        (IMap<String, String>)
            Proxy.newProxyInstance(
                IMap.class.getClassLoader(),
                new Class<?>[] {IMap.class},
                (proxy, method, args) -> {
                  throw new IllegalStateException("the map is destroyed");
                });

    assertThatThrownBy(() -> Redo.replace(broken, "job", "SUBMITTING", "CANCELLED"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the map is destroyed");
  }

  /**
   * {@code real}, whose first {@code replace(key, old, new)} fails as indeterminate, after applying
   * it if {@code applied}; every call to replace is counted in {@code attempts}.
   */
  @SuppressWarnings("unchecked")
  private static IMap<String, String> failingFirstReplace(
      IMap<String, String> real, boolean applied, AtomicInteger attempts) {
    return (IMap<String, String>)
        Proxy.newProxyInstance(
            IMap.class.getClassLoader(),
            new Class<?>[] {IMap.class},
            (proxy, method, args) -> {
              boolean compareAndSet =
                  method.getName().equals("replace") && args != null && args.length == 3;
              if (compareAndSet && attempts.incrementAndGet() == 1) {
                if (applied) {
                  method.invoke(real, args);
                }
                throw new IndeterminateOperationStateException("a backup did not confirm");
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
