package dev.crew.common.reducers;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.HdrHistogram.DoubleHistogram;
import org.HdrHistogram.DoubleHistogramIterationValue;
import org.jspecify.annotations.Nullable;

/**
 * The distribution of numbers in bounded memory: an HdrHistogram {@link DoubleHistogram} per sign,
 * beside an exact count, min, max and mean, given as one JSON object.
 *
 * <p>Each histogram keeps 3 significant digits: a number is counted in a bucket less than 0.1% of
 * its value wide, so the percentiles and the bins' counts are right to within 0.1% of the values,
 * and the memory is that of the buckets between the smallest and largest magnitude, whatever the
 * count. A {@code DoubleHistogram} takes no negative number, so negatives go to a second one by
 * magnitude; it spans at most about 15 decimal orders of magnitude at this precision, so a number
 * out of that span (or out of a double's) is left out, like a non-number.
 */
final class NumberHistogram extends NumberAccumulator {
  private static final int SIGNIFICANT_DIGITS = 3;
  private static final int BINS = 10;

  /** The percentiles given, in thousandths: p50, p90, p99 and p99.9. */
  private static final int[] PERMILLES = {500, 900, 990, 999};

  private final DoubleHistogram positive = new DoubleHistogram(SIGNIFICANT_DIGITS);
  private final DoubleHistogram negative = new DoubleHistogram(SIGNIFICANT_DIGITS);
  private final ExactMean mean = new ExactMean();
  private @Nullable BigDecimal min;
  private @Nullable BigDecimal max;

  @Override
  boolean take(BigDecimal number) {
    double value = number.doubleValue();
    if (Double.isInfinite(value) || (value == 0 && number.signum() != 0)) {
      return false;
    }
    try {
      if (value < 0) {
        negative.recordValue(-value);
      } else {
        positive.recordValue(value);
      }
    } catch (ArrayIndexOutOfBoundsException outOfSpan) {
      return false;
    }
    mean.add(number);
    min = min == null ? number : min.min(number);
    max = max == null ? number : max.max(number);
    return true;
  }

  /** The histograms' memory, for tests: it depends on the span of the values, not their count. */
  long footprintBytes() {
    return positive.getEstimatedFootprintInBytes() + negative.getEstimatedFootprintInBytes();
  }

  /**
   * {@code {"count":N,"min":…,"max":…,"mean":…,"p50":…,"p90":…,"p99":…,"p999":…,"bins":[{"from":
   * …,"to":…,"count":N},…]}}; with no numbers, the values are {@code null} and the bins empty.
   */
  @Override
  public String result() {
    StringBuilder json = new StringBuilder("{\"count\":").append(mean.count());
    json.append(",\"min\":").append(min == null ? "null" : min.toPlainString());
    json.append(",\"max\":").append(max == null ? "null" : max.toPlainString());
    json.append(",\"mean\":").append(mean.json());
    List<Bucket> buckets = buckets();
    for (int permille : PERMILLES) {
      String name = "p" + (permille % 10 == 0 ? permille / 10 : permille);
      json.append(",\"").append(name).append("\":").append(percentile(buckets, permille));
    }
    json.append(",\"bins\":[");
    appendBins(json, buckets);
    return json.append("]}").toString();
  }

  /**
   * Numbers counted between {@code near} (the bound nearer zero, in) and {@code far} (out): one
   * bucket of a histogram.
   */
  private record Bucket(double near, double far, long count) {
    double middle() {
      return near + (far - near) / 2;
    }
  }

  /** The recorded buckets of both histograms, in ascending order of value. */
  private List<Bucket> buckets() {
    List<Bucket> buckets = new ArrayList<>();
    for (DoubleHistogramIterationValue at : negative.recordedValues()) {
      double value = at.getValueIteratedTo();
      buckets.add(
          new Bucket(
              -negative.lowestEquivalentValue(value),
              -negative.nextNonEquivalentValue(value),
              at.getCountAddedInThisIterationStep()));
    }
    Collections.reverse(buckets);
    for (DoubleHistogramIterationValue at : positive.recordedValues()) {
      double value = at.getValueIteratedTo();
      buckets.add(
          new Bucket(
              positive.lowestEquivalentValue(value),
              positive.nextNonEquivalentValue(value),
              at.getCountAddedInThisIterationStep()));
    }
    return buckets;
  }

  /** The nearest-rank percentile: the least value with {@code permille}/1000 of all at or below. */
  private String percentile(List<Bucket> buckets, int permille) {
    if (min == null || max == null) {
      return "null";
    }
    long rank = Math.max(1, Math.ceilDiv(mean.count() * permille, 1000));
    long seen = 0;
    for (Bucket bucket : buckets) {
      seen += bucket.count();
      if (seen >= rank) {
        return shortestIn(bucket).max(min).min(max).toPlainString();
      }
    }
    throw new IllegalStateException("the histograms hold fewer than " + rank + " numbers");
  }

  /**
   * The decimal with the fewest significant digits in {@code bucket}, nearest zero among those: its
   * value written no more precisely than the histogram knows it ({@code 91}, not {@code 91.03}).
   */
  private static BigDecimal shortestIn(Bucket bucket) {
    BigDecimal near = new BigDecimal(bucket.near());
    BigDecimal far = new BigDecimal(bucket.far()).abs();
    for (int digits = 1; ; digits++) {
      BigDecimal candidate = near.round(new MathContext(digits, RoundingMode.UP));
      if (candidate.abs().compareTo(far) < 0) {
        return candidate.stripTrailingZeros();
      }
    }
  }

  /**
   * Ten bins of equal width from min to max, each counting its values from {@code from} up to but
   * not including {@code to} (the last one includes max); one bin when all values are equal. A
   * bucket is counted in the bin of its middle, so a value within 0.1% of a bin's edge may be
   * counted in the bin beside it.
   */
  private void appendBins(StringBuilder json, List<Bucket> buckets) {
    if (min == null || max == null) {
      return;
    }
    BigDecimal width = max.subtract(min).divide(BigDecimal.valueOf(BINS));
    int bins = width.signum() == 0 ? 1 : BINS;
    long[] counts = new long[bins];
    double start = min.doubleValue();
    double step = width.doubleValue();
    for (Bucket bucket : buckets) {
      double at = bins == 1 ? 0 : Math.floor((bucket.middle() - start) / step);
      counts[(int) Math.max(0, Math.min(bins - 1, at))] += bucket.count();
    }
    for (int i = 0; i < bins; i++) {
      BigDecimal from = min.add(width.multiply(BigDecimal.valueOf(i)));
      BigDecimal to = i == bins - 1 ? max : from.add(width);
      json.append(i == 0 ? "" : ",")
          .append("{\"from\":")
          .append(from.stripTrailingZeros().toPlainString())
          .append(",\"to\":")
          .append(to.stripTrailingZeros().toPlainString())
          .append(",\"count\":")
          .append(counts[i])
          .append('}');
    }
  }
}
