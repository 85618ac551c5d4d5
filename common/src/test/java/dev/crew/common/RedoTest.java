package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RedoTest {

  @Test
  void idempotent_redoesACallLeftIndeterminateOrCutOffUntilItHolds() {
    AtomicInteger attempts = new AtomicInteger();
    String answer =
        Redo.idempotent(
            () ->
                switch (attempts.incrementAndGet()) {
                  case 1 -> throw new IndeterminateOperationStateException("no backup ack");
                  case 2 -> throw new TargetDisconnectedException("owner gone");
                  case 3 -> throw new HazelcastException(new TargetNotMemberException("moved"));
                  default -> "stored";
                });

    assertThat(answer).isEqualTo("stored");
    assertThat(attempts).hasValue(4);
  }

  @Test
  void idempotent_otherFailuresAreThrownAtOnce() {
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                Redo.idempotent(
                    () -> {
                      attempts.incrementAndGet();
                      throw new IllegalArgumentException("task leaves a gap");
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("task leaves a gap");
    assertThat(attempts).hasValue(1);
  }

  @Test
  void idempotent_interruptedWhileWaitingToRedo_stopsAndKeepsTheFlag() {
    AtomicInteger attempts = new AtomicInteger();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(
              () ->
                  Redo.idempotent(
                      () -> {
                        attempts.incrementAndGet();
                        throw new IndeterminateOperationStateException("no backup ack");
                      }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("interrupted");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(attempts).hasValue(1);
  }

  @Test
  void after_redoesOnlyWhenTheFirstFailureLeavesItOpen() {
    AtomicInteger attempts = new AtomicInteger();

    assertThat(
            Redo.after(
                new IndeterminateOperationStateException("no backup ack"),
                () -> {
                  attempts.incrementAndGet();
                  return "stored";
                }))
        .isEqualTo("stored");
    assertThat(attempts).hasValue(1);

    IllegalArgumentException certain = new IllegalArgumentException("task leaves a gap");
    assertThatThrownBy(
            () ->
                Redo.after(
                    certain,
                    () -> {
                      attempts.incrementAndGet();
                      return "stored";
                    }))
        .isSameAs(certain);
    assertThat(attempts).hasValue(1);
  }
}
