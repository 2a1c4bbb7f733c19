package io.instgenie.verticles.http.auth;

import java.util.HashMap;
import java.util.Map;

/**
 * Requests per second per tenant, a token bucket each: a tenant's bucket holds up to its {@link
 * TenantLimits#bucketSize()} tokens, refills at its rate, and each request takes one. Touched only
 * by the HTTP verticle's event loop (no locks); the clock is a parameter, so tests count tokens.
 */
public final class RateLimiter {
  private final Map<String, double[]> buckets = new HashMap<>(); // tenant → {tokens, lastNanos}

  /**
   * Takes one token of the tenant's bucket at {@code nowNanos}: 0 when granted, else the
   * milliseconds until a token is back.
   */
  public long take(String tenant, TenantLimits limits, long nowNanos) {
    if (tenant == null || limits.requestsPerSecond() <= 0) return 0;
    double size = limits.bucketSize();
    double[] b = buckets.computeIfAbsent(tenant, t -> new double[] {size, nowNanos});
    double refill = (nowNanos - b[1]) / 1e9 * limits.requestsPerSecond();
    b[0] = Math.min(size, b[0] + Math.max(0, refill));
    b[1] = nowNanos;
    if (b[0] >= 1) {
      b[0] -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - b[0]) / limits.requestsPerSecond() * 1000);
  }
}
