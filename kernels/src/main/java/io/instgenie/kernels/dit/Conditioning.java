package io.instgenie.kernels.dit;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.Dense;
import io.instgenie.kernels.backend.Rows;
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
    be.linear(Rows.of(h1, hid), Rows.of(feat, f), layer("t_embedder.mlp.0"), n, hid, f, false);
    be.silu(h1, 0, h1, 0, (long) n * hid);
    be.linear(Rows.of(h2, hid), Rows.of(h1, hid), layer("t_embedder.mlp.2"), n, hid, hid, false);
    // every modulation reads SiLU(c)
    be.silu(h2, 0, h2, 0, (long) n * hid);
    // set i's vectors are row i of mods: block b's six at column 6·H·b, the final two after them
    Rows sets = Rows.of(mods, stride);
    Rows cond = Rows.of(h2, hid);
    for (int b = 0; b < c.depth(); b++) {
      Dense adaLn = layer(WeightNames.block(b, "adaLN"));
      be.linear(sets.col((long) b * 6 * hid), cond, adaLn, n, 6 * hid, hid, false);
    }
    be.linear(
        sets.col((long) c.depth() * 6 * hid), cond, layer("final.adaLN"), n, 2 * hid, hid, false);
    return index;
  }

  /** The weight and bias of the linear layer {@code name}. */
  private Dense layer(String name) {
    return Dense.of(w.get(name + ".weight"), w.get(name + ".bias"));
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
