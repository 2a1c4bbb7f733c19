package io.instgenie.kernels.train;

import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction and weight decay decoupled from
 * the gradient, applied to matrices only (biases, embeddings and positions are not decayed).
 */
final class AdamW {
  static final double BETA1 = 0.9;
  static final double BETA2 = 0.999;
  static final double EPS = 1e-8;

  final Params m;
  final Params v;

  AdamW(Params m, Params v) {
    this.m = m;
    this.v = v;
  }

  /** One update of {@code w} by gradient {@code g}; {@code step} counts from 1. */
  void update(Params w, Params g, int step, double lr, double weightDecay) {
    double c1 = 1 - Math.pow(BETA1, step);
    double c2 = 1 - Math.pow(BETA2, step);
    for (Map.Entry<String, FloatBuf> e : w.all().entrySet()) {
      String name = e.getKey();
      boolean decay = decays(name);
      FloatBuffer wf = e.getValue().floats();
      FloatBuffer gf = g.get(name).floats();
      FloatBuffer mf = m.get(name).floats();
      FloatBuffer vf = v.get(name).floats();
      for (int i = 0, n = (int) e.getValue().size(); i < n; i++) {
        double gi = gf.get(i);
        double mi = BETA1 * mf.get(i) + (1 - BETA1) * gi;
        double vi = BETA2 * vf.get(i) + (1 - BETA2) * gi * gi;
        mf.put(i, (float) mi);
        vf.put(i, (float) vi);
        double wi = wf.get(i);
        double upd = (mi / c1) / (Math.sqrt(vi / c2) + EPS) + (decay ? weightDecay * wi : 0);
        wf.put(i, (float) (wi - lr * upd));
      }
    }
  }

  /** Linear-layer matrices decay; biases, the prompt table and positions do not. */
  static boolean decays(String name) {
    return name.endsWith(".weight") && !name.equals("prompt_embed.weight");
  }
}
