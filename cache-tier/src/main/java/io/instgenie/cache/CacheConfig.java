package io.instgenie.cache;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How much the activation cache may hold: off-heap memory, and a disk folder ({@code diskDir} null:
 * memory only, {@code diskBytes} then ignored), in the given storage precision; what template runs
 * record ({@code mode}).
 */
public record CacheConfig(
    long memoryBytes, long diskBytes, Path diskDir, Precision precision, CacheMode mode) {

  public CacheConfig {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(mode, "mode");
    if (memoryBytes < 0)
      throw new IllegalArgumentException("memoryBytes must be >= 0, got " + memoryBytes);
    if (diskBytes < 0)
      throw new IllegalArgumentException("diskBytes must be >= 0, got " + diskBytes);
    if (diskDir != null && diskBytes == 0) {
      throw new IllegalArgumentException(
          "a disk folder ("
              + diskDir
              + ") needs diskBytes > 0; leave diskDir null for memory only");
    }
  }

  /** Template runs record block outputs (cache Y). */
  public CacheConfig(long memoryBytes, long diskBytes, Path diskDir, Precision precision) {
    this(memoryBytes, diskBytes, diskDir, precision, CacheMode.Y);
  }

  public static CacheConfig memoryOnly(long memoryBytes, Precision precision) {
    return new CacheConfig(memoryBytes, 0, null, precision);
  }

  /** The same limits with template runs recording {@code m}. */
  public CacheConfig withMode(CacheMode m) {
    return new CacheConfig(memoryBytes, diskBytes, diskDir, precision, m);
  }
}
