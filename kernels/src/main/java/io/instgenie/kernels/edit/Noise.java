package io.instgenie.kernels.edit;

import java.util.Random;

/**
 * Gaussian noise from a seed, in token layout. {@link Random#nextGaussian()} is specified by the
 * JDK (polar method), so a seed gives the same noise on every JVM.
 */
public final class Noise {
  private Noise() {}

  public static float[] gaussian(long seed, int n) {
    Random r = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) out[i] = (float) r.nextGaussian();
    return out;
  }

  /** The seed of a template's noise: the first 8 bytes of its id (hex SHA-256), big-endian. */
  public static long templateSeed(String templateId) {
    return Long.parseUnsignedLong(templateId.substring(0, 16), 16);
  }
}
