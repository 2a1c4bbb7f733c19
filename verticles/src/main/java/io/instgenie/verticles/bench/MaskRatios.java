package io.instgenie.verticles.bench;

import java.util.Random;

/**
 * The mask-ratio distribution of the load tests: skewed towards small masks with a tail to 0.9. A
 * mixture of Beta(α, β) (weight 1 − w) and Uniform(0.4, 0.9) (weight w), clamped to [0, 0.9]; β is
 * set so that the mixture's mean is the requested one: (1 − w)·α/(α + β) + w·0.65 = mean.
 */
public record MaskRatios(double mean, double alpha, double beta, double tailWeight) {
  /** Shape α of the Beta part: a density rising from 0 to a mode near 0.02–0.05, then falling. */
  public static final double ALPHA = 1.3;

  /** Share of masks drawn from the uniform tail. */
  public static final double TAIL_WEIGHT = 0.03;

  static final double TAIL_LOW = 0.4;
  static final double TAIL_HIGH = 0.9;

  public MaskRatios {
    if (!(alpha > 0 && beta > 0 && tailWeight >= 0 && tailWeight < 1))
      throw new IllegalArgumentException(
          "mask ratios: α, β must be positive, tail weight in [0,1)");
  }

  /** The distribution of this mean (0.11 and 0.19 are the paper's two workloads). */
  public static MaskRatios withMean(double mean) {
    double tailMean = (TAIL_LOW + TAIL_HIGH) / 2;
    double betaMean = (mean - TAIL_WEIGHT * tailMean) / (1 - TAIL_WEIGHT);
    if (!(betaMean > 0.005 && betaMean < 0.6))
      throw new IllegalArgumentException(
          "mask-ratio mean must lie in about 0.03..0.6, got " + mean);
    return new MaskRatios(mean, ALPHA, ALPHA * (1 - betaMean) / betaMean, TAIL_WEIGHT);
  }

  /** One ratio in [0, 0.9]; consumes two or three values of {@code r}. */
  public double sample(Random r) {
    double x =
        r.nextDouble() < tailWeight
            ? TAIL_LOW + (TAIL_HIGH - TAIL_LOW) * r.nextDouble()
            : Workload.beta(r, alpha, beta);
    return Math.min(TAIL_HIGH, Math.max(0, x));
  }
}
