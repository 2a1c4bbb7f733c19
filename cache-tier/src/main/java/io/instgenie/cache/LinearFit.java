package io.instgenie.cache;

import java.util.Locale;

/** A least-squares line time = a + b·x with its coefficient of determination R². */
public record LinearFit(double a, double b, double r2, int samples) {

  /** Fits y = a + b·x over at least two samples with distinct x. */
  public static LinearFit of(double[] x, double[] y) {
    if (x.length != y.length)
      throw new IllegalArgumentException(x.length + " x values for " + y.length + " y values");
    int n = x.length;
    if (n < 2) throw new IllegalArgumentException("a line needs at least 2 samples, got " + n);
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxx = 0;
    double sxy = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      sxy += (x[i] - mx) * (y[i] - my);
      syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx == 0)
      throw new IllegalArgumentException("every sample has x = " + mx + ": no slope to fit");
    double b = sxy / sxx;
    double a = my - b * mx;
    double ssRes = 0;
    for (int i = 0; i < n; i++) {
      double e = y[i] - (a + b * x[i]);
      ssRes += e * e;
    }
    // constant y: a perfect fit when the residuals vanish too
    double r2 = syy == 0 ? (ssRes == 0 ? 1 : 0) : 1 - ssRes / syy;
    return new LinearFit(a, b, r2, n);
  }

  /**
   * A time fit that cannot go below zero or fall as the work grows: the least-squares line when its
   * intercept and slope are both ≥ 0; else, when the slope is negative (noise swamped the work's
   * effect, as on tiny models), the mean as a constant; else (a negative intercept) the
   * least-squares line through the origin. R² is that of the line returned.
   */
  public static LinearFit ofTimes(double[] x, double[] y) {
    LinearFit free = of(x, y);
    if (free.a >= 0 && free.b >= 0) return free;
    int n = x.length;
    double my = 0;
    for (double v : y) my += v;
    my /= n;
    double a;
    double b;
    if (free.b < 0) {
      a = Math.max(0, my);
      b = 0;
    } else {
      double sxy = 0;
      double sxx = 0;
      for (int i = 0; i < n; i++) {
        sxy += x[i] * y[i];
        sxx += x[i] * x[i];
      }
      a = 0;
      b = sxy / sxx;
    }
    double ssRes = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      double e = y[i] - (a + b * x[i]);
      ssRes += e * e;
      syy += (y[i] - my) * (y[i] - my);
    }
    double r2 = syy == 0 ? (ssRes == 0 ? 1 : 0) : 1 - ssRes / syy;
    return new LinearFit(a, b, r2, n);
  }

  public double predict(double x) {
    return a + b * x;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%.4g + %.4g·x (R² %.4f, n %d)", a, b, r2, samples);
  }
}
