package io.instgenie.kernels.dit;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.model.Embeddings;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.WeightNames;
import io.instgenie.kernels.model.Weights;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per noise level t: c = t_embedder(e(t)), then every block's six modulation vectors (shift1,
 * scale1, gate1, shift2, scale2, gate2) and the final layer's (shift, scale). Sequences of a batch
 * that share t share one set; all distinct t of a batch go through each weight matrix in one GEMM.
 */
final class Conditioning {
  private final ModelConfig c;
  private final Weights w;
  private final Backend be;
  private final int hid;
  private final int stride;
  private FloatBuf mods = FloatBuf.allocate(0);
  private FloatBuf feat = FloatBuf.allocate(0);
  private FloatBuf h1 = FloatBuf.allocate(0);
  private FloatBuf h2 = FloatBuf.allocate(0);

  Conditioning(DitModel model, Backend be) {
    this.c = model.config();
    this.w = model.weights();
    this.be = be;
    this.hid = c.hiddenSize();
    this.stride = c.depth() * 6 * hid + 2 * hid;
  }

  /** Computes the modulation sets; returns, per sequence, the index of its set. */
  int[] compute(List<Sequence> seqs) {
    Map<Float, Integer> byT = new LinkedHashMap<>();
    int[] index = new int[seqs.size()];
    for (int s = 0; s < seqs.size(); s++) {
      index[s] = byT.computeIfAbsent(seqs.get(s).t, k -> byT.size());
    }
    int n = byT.size();
    ensure(n);
    int f = ModelConfig.TIME_FREQ;
    for (Map.Entry<Float, Integer> e : byT.entrySet()) {
      feat.copyFrom(Embeddings.timeFeatures(e.getKey()), 0, (long) e.getValue() * f, f);
    }
    be.hostWrote(feat, 0, (long) n * f);
    // c = W2·SiLU(W1·e + b1) + b2 for all distinct t at once (one GEMM each, weights read once)
    be.linear(
        h1,
        0,
        hid,
        feat,
        0,
        f,
        w.get("t_embedder.mlp.0.weight"),
        0,
        w.get("t_embedder.mlp.0.bias"),
        0,
        n,
        hid,
        f,
        false);
    be.silu(h1, 0, h1, 0, (long) n * hid);
    be.linear(
        h2,
        0,
        hid,
        h1,
        0,
        hid,
        w.get("t_embedder.mlp.2.weight"),
        0,
        w.get("t_embedder.mlp.2.bias"),
        0,
        n,
        hid,
        hid,
        false);
    // every modulation reads SiLU(c)
    be.silu(h2, 0, h2, 0, (long) n * hid);
    for (int b = 0; b < c.depth(); b++) {
      be.linear(
          mods,
          (long) b * 6 * hid,
          stride,
          h2,
          0,
          hid,
          w.get(WeightNames.block(b, "adaLN.weight")),
          0,
          w.get(WeightNames.block(b, "adaLN.bias")),
          0,
          n,
          6 * hid,
          hid,
          false);
    }
    be.linear(
        mods,
        (long) c.depth() * 6 * hid,
        stride,
        h2,
        0,
        hid,
        w.get("final.adaLN.weight"),
        0,
        w.get("final.adaLN.bias"),
        0,
        n,
        2 * hid,
        hid,
        false);
    return index;
  }

  private void ensure(int n) {
    if (mods.size() >= (long) n * stride) return;
    for (FloatBuf b : new FloatBuf[] {mods, feat, h1, h2}) be.release(b);
    mods = FloatBuf.allocate((long) n * stride);
    feat = FloatBuf.allocate((long) n * ModelConfig.TIME_FREQ);
    h1 = FloatBuf.allocate((long) n * hid);
    h2 = FloatBuf.allocate((long) n * hid);
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
