package io.instgenie.cache;

import java.util.Map;

/**
 * A snapshot of the cache's counters, for {@code /metrics}: per tier hits, misses, bytes and
 * evictions, plus prefetches, corrupt files, pipeline bubbles and templates that no tier took.
 */
public record CacheStats(
    Map<TierKind, TierStats> tiers,
    int templates,
    long prefetches,
    long corruptSegments,
    long uncached,
    long bubbleNanos,
    boolean diskAvailable) {

  public CacheStats {
    tiers = Map.copyOf(tiers);
  }

  /** One tier's counters; capacityBytes 0 means the tier is not configured. */
  public record TierStats(
      long hits, long misses, long bytes, long capacityBytes, long evictions, int templates) {}

  /** The counters of {@code kind}, zeros when the tier is not configured. */
  public TierStats tier(TierKind kind) {
    return tiers.getOrDefault(kind, new TierStats(0, 0, 0, 0, 0, 0));
  }
}
