package dev.crew.client.job;

import dev.crew.common.TaskResult;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * Folds every numeric result into one number ({@code --reduce sum|count|min|max}); exact for
 * integers of any size.
 */
public final class Reduction implements ResultHandler {

  /** The reductions offered. */
  public enum Op {
    SUM,
    COUNT,
    MIN,
    MAX;

    public static Op parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "bad --reduce '" + text + "' (expected sum, count, min or max)");
      }
    }
  }

  private final Op op;
  private BigDecimal value;
  private long counted;
  private long notNumbers;

  public Reduction(Op op) {
    this.op = op;
  }

  @Override
  public void accept(TaskResult result) {
    for (int i = 0; i < result.count(); i++) {
      if (result.failed(i)) {
        continue;
      }
      counted++;
      if (op == Op.COUNT) {
        continue;
      }
      BigDecimal number;
      try {
        number = new BigDecimal(result.values()[i]);
      } catch (NumberFormatException e) {
        notNumbers++;
        continue;
      }
      value =
          value == null
              ? number
              : switch (op) {
                case SUM -> value.add(number);
                case MIN -> value.min(number);
                case MAX -> value.max(number);
                case COUNT -> value;
              };
    }
  }

  /**
   * The reduction as printed: an exact number, or {@code null} when there was nothing numeric to
   * reduce.
   */
  public String value() {
    if (op == Op.COUNT) {
      return Long.toString(counted);
    }
    if (value == null) {
      return op == Op.SUM ? "0" : "null";
    }
    return value.toPlainString();
  }

  /** Successful results that were not numbers, and so were left out. */
  public long notNumbers() {
    return notNumbers;
  }

  public Op op() {
    return op;
  }
}
