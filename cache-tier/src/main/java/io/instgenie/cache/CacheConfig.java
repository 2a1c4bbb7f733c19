package io.instgenie.cache;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How much the activation cache may hold: off-heap memory, and a disk folder ({@code diskDir} null:
 * memory only, {@code diskBytes} then ignored), in the given storage precision.
 */
public record CacheConfig(long memoryBytes, long diskBytes, Path diskDir, Precision precision) {

  public CacheConfig {
    Objects.requireNonNull(precision, "precision");
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

  public static CacheConfig memoryOnly(long memoryBytes, Precision precision) {
    return new CacheConfig(memoryBytes, 0, null, precision);
  }
}
