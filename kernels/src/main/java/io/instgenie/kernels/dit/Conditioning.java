package io.instgenie.kernels.dit;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.model.Embeddings;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.WeightNames;
import io.instgenie.kernels.model.Weights;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per noise level t: c = t_embedder(e(t)), then every block's six modulation vectors
 * (shift1, scale1, gate1, shift2, scale2, gate2) and the final layer's (shift, scale).
 * Sequences of a batch that share t share one set.
 */
final class Conditioning {
  private final ModelConfig c;
  private final Weights w;
  private final Backend be;
  private final int hid;
  private final int stride;
  private FloatBuf mods = FloatBuf.allocate(0);
  private final FloatBuf feat = FloatBuf.allocate(ModelConfig.TIME_FREQ);
  private final FloatBuf h1;
  private final FloatBuf h2;

  Conditioning(DitModel model, Backend be) {
    this.c = model.config();
    this.w = model.weights();
    this.be = be;
    this.hid = c.hiddenSize();
    this.stride = c.depth() * 6 * hid + 2 * hid;
    this.h1 = FloatBuf.allocate(hid);
    this.h2 = FloatBuf.allocate(hid);
  }

  /** Computes the modulation sets; returns, per sequence, the index of its set. */
  int[] compute(List<Sequence> seqs) {
    Map<Float, Integer> byT = new HashMap<>();
    int[] index = new int[seqs.size()];
    for (int s = 0; s < seqs.size(); s++) {
      index[s] = byT.computeIfAbsent(seqs.get(s).t, k -> byT.size());
    }
    if (mods.size() < (long) byT.size() * stride) mods = FloatBuf.allocate((long) byT.size() * stride);
    for (Map.Entry<Float, Integer> e : byT.entrySet()) fill(e.getKey(), (long) e.getValue() * stride);
    return index;
  }

  private void fill(float t, long base) {
    feat.copyFrom(Embeddings.timeFeatures(t), 0, 0, ModelConfig.TIME_FREQ);
    // c = W2·SiLU(W1·e + b1) + b2, then every modulation reads SiLU(c)
    be.linear(h1, 0, hid, feat, 0, ModelConfig.TIME_FREQ, w.get("t_embedder.mlp.0.weight"), 0,
        w.get("t_embedder.mlp.0.bias"), 0, 1, hid, ModelConfig.TIME_FREQ, false);
    be.silu(h1, 0, h1, 0, hid);
    be.linear(h2, 0, hid, h1, 0, hid, w.get("t_embedder.mlp.2.weight"), 0,
        w.get("t_embedder.mlp.2.bias"), 0, 1, hid, hid, false);
    be.silu(h2, 0, h2, 0, hid);
    for (int b = 0; b < c.depth(); b++) {
      be.linear(mods, base + (long) b * 6 * hid, 6 * hid, h2, 0, hid,
          w.get(WeightNames.block(b, "adaLN.weight")), 0, w.get(WeightNames.block(b, "adaLN.bias")), 0,
          1, 6 * hid, hid, false);
    }
    be.linear(mods, base + (long) c.depth() * 6 * hid, 2 * hid, h2, 0, hid,
        w.get("final.adaLN.weight"), 0, w.get("final.adaLN.bias"), 0, 1, 2 * hid, hid, false);
  }

  FloatBuf mods() {
    return mods;
  }

  long blockOffset(int set, int b) {
    return (long) set * stride + (long) b * 6 * hid;
  }

  long finalOffset(int set) {
    return (long) set * stride + (long) c.depth() * 6 * hid;
  }
}
