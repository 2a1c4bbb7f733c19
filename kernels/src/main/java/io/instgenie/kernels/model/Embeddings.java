package io.instgenie.kernels.model;

/** The fixed embeddings of DESIGN.md: sinusoidal time features and 2-D sin-cos positions. */
public final class Embeddings {
  private Embeddings() {}

  /** e(t) = [cos(τ·f_k), sin(τ·f_k)], τ = 1000t, f_k = exp(−ln(10000)·k/128), k < 128. */
  public static float[] timeFeatures(float t) {
    int half = ModelConfig.TIME_FREQ / 2;
    double tau = 1000.0 * t;
    float[] e = new float[ModelConfig.TIME_FREQ];
    for (int k = 0; k < half; k++) {
      double f = Math.exp(-Math.log(10000.0) * k / half);
      e[k] = (float) Math.cos(tau * f);
      e[half + k] = (float) Math.sin(tau * f);
    }
    return e;
  }

  /** pe(i, j) = [sc(H/2, j), sc(H/2, i)] for token n = i·G + j, as an [L, H] row-major table. */
  public static float[] positions(ModelConfig c) {
    int h = c.hiddenSize();
    int g = c.grid();
    float[] pe = new float[c.imageTokens() * h];
    for (int i = 0; i < g; i++) {
      for (int j = 0; j < g; j++) {
        int at = (i * g + j) * h;
        sinCos(pe, at, h / 2, j);
        sinCos(pe, at + h / 2, h / 2, i);
      }
    }
    return pe;
  }

  /** sc(D, x) = [sin(x·ω_0..ω_{D/2−1}), cos(x·ω_0..ω_{D/2−1})], ω_k = 10000^(−2k/D). */
  private static void sinCos(float[] out, int at, int dim, int x) {
    int half = dim / 2;
    for (int k = 0; k < half; k++) {
      double w = Math.pow(10000.0, -2.0 * k / dim);
      out[at + k] = (float) Math.sin(x * w);
      out[at + half + k] = (float) Math.cos(x * w);
    }
  }
}
