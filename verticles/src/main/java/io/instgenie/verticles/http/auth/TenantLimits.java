package io.instgenie.verticles.http.auth;

/**
 * A tenant's limits: unfinished edits ({@code maxUnfinished}, 0: none) and a token bucket of {@code
 * requestsPerSecond} refilled up to {@code burst} tokens (rate 0: none).
 */
public record TenantLimits(int maxUnfinished, double requestsPerSecond, int burst) {
  /** No limit. */
  public static final TenantLimits NONE = new TenantLimits(0, 0, 0);

  public TenantLimits {
    if (maxUnfinished < 0) throw new IllegalArgumentException("max_unfinished must be >= 0");
    if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond))
      throw new IllegalArgumentException("requests_per_second must be a finite number >= 0");
    if (burst < 0) throw new IllegalArgumentException("burst must be >= 0");
  }

  /** The bucket's size: {@code burst}, else one second's worth (at least one request). */
  public double bucketSize() {
    return burst > 0 ? burst : Math.max(1, requestsPerSecond);
  }

  /** The stricter of two limits, field by field (a 0 is no limit, so the other one wins). */
  public TenantLimits stricter(TenantLimits o) {
    return new TenantLimits(
        min(maxUnfinished, o.maxUnfinished),
        requestsPerSecond == 0
            ? o.requestsPerSecond
            : o.requestsPerSecond == 0
                ? requestsPerSecond
                : Math.min(requestsPerSecond, o.requestsPerSecond),
        min(burst, o.burst));
  }

  private static int min(int a, int b) {
    return a == 0 ? b : b == 0 ? a : Math.min(a, b);
  }
}
