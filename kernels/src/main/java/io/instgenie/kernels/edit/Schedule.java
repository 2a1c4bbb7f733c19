package io.instgenie.kernels.edit;

/** The rectified-flow Euler schedule: t_k = 1 − k/N for k = 0..N (t = 1 is pure noise). */
public final class Schedule {
  private Schedule() {}

  public static float t(int k, int steps) {
    return 1f - (float) k / steps;
  }

  /** x_t = (1−t)·x₀ + t·ε, entry by entry, into {@code out}. */
  public static void noised(float[] x0, float[] eps, float t, float[] out) {
    for (int i = 0; i < out.length; i++) out[i] = (1 - t) * x0[i] + t * eps[i];
  }

  /** Classifier-free guidance: v̂ = v_null + g·(v_prompt − v_null). */
  public static float guided(float vNull, float vPrompt, float guidance) {
    return vNull + guidance * (vPrompt - vNull);
  }
}
