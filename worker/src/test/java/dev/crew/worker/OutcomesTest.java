package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class OutcomesTest {

  @Test
  void describe_illegalArgumentGivesMessageAlone() {
    assertThat(Outcomes.describe(new IllegalArgumentException("item 99 is outside 0..92")))
        .isEqualTo("item 99 is outside 0..92");
  }

  @Test
  void describe_ioExceptionAndSubclassesGiveMessageAlone() {
    assertThat(Outcomes.describe(new IOException("connection refused: example.org")))
        .isEqualTo("connection refused: example.org");
    assertThat(Outcomes.describe(new FileNotFoundException("/x (No such file)")))
        .isEqualTo("/x (No such file)");
  }

  @Test
  void describe_otherExceptionGivesSimpleNameAndMessage() {
    assertThat(Outcomes.describe(new IllegalStateException("kaput")))
        .isEqualTo("IllegalStateException: kaput");
    assertThat(Outcomes.describe(new TimeoutException("slow"))).isEqualTo("TimeoutException: slow");
    assertThat(Outcomes.describe(new NumberFormatException("For input string: \"x\"")))
        .as("a subclass of IllegalArgumentException gives its message alone too")
        .isEqualTo("For input string: \"x\"");
  }

  @Test
  void describe_withoutMessageGivesSimpleName() {
    assertThat(Outcomes.describe(new NullPointerException())).isEqualTo("NullPointerException");
    assertThat(Outcomes.describe(new IllegalArgumentException()))
        .isEqualTo("IllegalArgumentException");
    assertThat(Outcomes.describe(new IOException())).isEqualTo("IOException");
  }

  @Test
  void describe_executionExceptionIsUnwrapped() {
    assertThat(Outcomes.describe(new ExecutionException(new IllegalStateException("inner"))))
        .isEqualTo("IllegalStateException: inner");
    assertThat(
            Outcomes.describe(
                new ExecutionException("outer", new ExecutionException(new IOException("deep")))))
        .isEqualTo("deep");
  }

  @Test
  void describe_uncheckedIoExceptionIsUnwrapped() {
    assertThat(Outcomes.describe(new UncheckedIOException(new IOException("disk full"))))
        .isEqualTo("disk full");
  }

  @Test
  void describe_executionExceptionWithoutCauseKeepsItself() {
    assertThat(Outcomes.describe(new ExecutionException("no cause", null)))
        .isEqualTo("ExecutionException: no cause");
  }

  @Test
  void describe_stackOverflowGivesFixedText() {
    assertThat(Outcomes.describe(new StackOverflowError())).isEqualTo("stack overflow");
    assertThat(Outcomes.describe(new ExecutionException(new StackOverflowError())))
        .isEqualTo("stack overflow");
  }
}
