package io.github.idem.benchmarks;

import java.util.Arrays;

/**
 * The statistics behind every published number: Student t intervals over rounds, ratios as
 * geometric means of per-round ratios, medians.
 */
final class Stats {
  /**
   * t(0.975, df) for df = 1..30, the two-sided 95 % quantiles of Student's t distribution (standard
   * tables, e.g. NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2).
   */
  private static final double[] T975 = {
    12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836,
    2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
    2.200985160, 2.178812830, 2.160368656, 2.144786688, 2.131449546,
    2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447,
    2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553,
    2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456
  };

  /** The standard normal 0.975 quantile. */
  private static final double Z975 = 1.959963984540054;

  private Stats() {}

  /**
   * Two-sided 95 % Student t quantile.
   *
   * @param df degrees of freedom, at least 1
   * @return t(0.975, df)
   */
  static double t975(int df) {
    if (df < 1) {
      throw new IllegalArgumentException("degrees of freedom must be at least 1, was " + df);
    }
    if (df <= T975.length) {
      return T975[df - 1];
    }
    // Beyond the table the Cornish-Fisher expansion in 1/df (Abramowitz and Stegun 26.7.5) is
    // accurate to better than 1e-5.
    double z = Z975;
    double z2 = z * z;
    double z3 = z2 * z;
    double z5 = z3 * z2;
    double z7 = z5 * z2;
    double z9 = z7 * z2;
    double v = df;
    return z
        + (z3 + z) / (4 * v)
        + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
        + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
        + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * v * v * v * v);
  }

  /**
   * An estimate with its 95 % confidence interval; with fewer than two values the interval is
   * undefined (NaN ends).
   */
  record Interval(double estimate, double low, double high, int n) {
    boolean defined() {
      return n >= 2 && !Double.isNaN(low) && !Double.isNaN(high);
    }

    /** Half the interval's width; for an asymmetric (log-scale) interval, the mean of both arms. */
    double halfWidth() {
      return (high - low) / 2;
    }
  }

  static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /** Sample standard deviation (n − 1 in the denominator). */
  static double sd(double[] values) {
    double m = mean(values);
    double squares = 0;
    for (double v : values) {
      squares += (v - m) * (v - m);
    }
    return Math.sqrt(squares / (values.length - 1));
  }

  /** Mean ± t(0.975, n−1) · sd / √n. */
  static Interval meanInterval(double[] values) {
    int n = values.length;
    if (n == 0) {
      throw new IllegalArgumentException("no values");
    }
    double m = mean(values);
    if (n < 2) {
      return new Interval(m, Double.NaN, Double.NaN, n);
    }
    double half = t975(n - 1) * sd(values) / Math.sqrt(n);
    return new Interval(m, m - half, m + half, n);
  }

  /**
   * The ratio of paired values (candidate_i ÷ baseline_i, one pair per round) as the geometric mean
   * of the per-pair ratios, with the interval computed on their logarithms: exp(mean ± t · sd/√n).
   */
  static Interval ratioInterval(double[] candidate, double[] baseline) {
    if (candidate.length != baseline.length) {
      throw new IllegalArgumentException("unpaired values");
    }
    double[] logs = new double[candidate.length];
    for (int i = 0; i < logs.length; i++) {
      logs[i] = Math.log(candidate[i] / baseline[i]);
    }
    Interval l = meanInterval(logs);
    return new Interval(Math.exp(l.estimate()), Math.exp(l.low()), Math.exp(l.high()), l.n());
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
