package io.instgenie.kernels.dit;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.Dense;
import io.instgenie.kernels.backend.Rows;
import io.instgenie.kernels.model.Embeddings;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.WeightNames;
import io.instgenie.kernels.model.Weights;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per noise level t: c = t_embedder(e(t)), then every block's six modulation vectors (shift1,
 * scale1, gate1, shift2, scale2, gate2) and the final layer's (shift, scale). They depend on t
 * alone, and a fixed schedule brings the same t back at every step k of every request of the same
 * step count, so each set is computed once and kept (the most recently used {@link #KEPT}, or as
 * many as one batch needs): at batch 1 the adaLN weights are a matrix-vector product that reads
 * every modulation weight for a handful of FLOPs (bench preset: 12.6 MB per step). Each set is
 * computed alone, so its bits never depend on which other t shared its batch.
 */
final class Conditioning {
  /** Sets kept between steps (bench preset: 51 KB each). */
  static final int KEPT = 64;

  private final ModelConfig c;
  private final Weights w;
  private final Backend be;
  private final int hid;
  private final int stride;

  /**
   * Slot i's set is row i of {@code mods}; {@code slots} maps t to its slot, least recent first.
   */
  private final LinkedHashMap<Float, Integer> slots = new LinkedHashMap<>(16, 0.75f, true);

  private FloatBuf mods = FloatBuf.allocate(0);
  private final FloatBuf feat;
  private final FloatBuf h1;
  private final FloatBuf h2;

  Conditioning(DitModel model, Backend be) {
    this.c = model.config();
    this.w = model.weights();
    this.be = be;
    this.hid = c.hiddenSize();
    this.stride = c.depth() * 6 * hid + 2 * hid;
    this.feat = FloatBuf.allocate(ModelConfig.TIME_FREQ);
    this.h1 = FloatBuf.allocate(hid);
    this.h2 = FloatBuf.allocate(hid);
  }

  /** Makes every sequence's set ready; returns, per sequence, the slot of its set. */
  int[] compute(List<Sequence> seqs) {
    Set<Float> distinct = new HashSet<>();
    for (Sequence q : seqs) distinct.add(q.t);
    ensure(distinct.size());
    Set<Integer> inUse = new HashSet<>();
    int[] index = new int[seqs.size()];
    for (int s = 0; s < seqs.size(); s++) {
      float t = seqs.get(s).t;
      Integer slot = slots.get(t); // a hit becomes the most recent
      if (slot == null) {
        slot = freeSlot(inUse);
        try {
          computeInto(t, slot);
        } catch (RuntimeException | Error e) {
          // the evicted set's slot holds neither set now: forget them all, so no t points at it
          slots.clear();
          throw e;
        }
        slots.put(t, slot);
      }
      inUse.add(slot);
      index[s] = slot;
    }
    return index;
  }

  /**
   * An unused slot, else the least recently used one no sequence of this batch holds (there is one:
   * the capacity covers the batch's distinct t).
   */
  private int freeSlot(Set<Integer> inUse) {
    if (slots.size() < capacity()) return slots.size();
    Iterator<Map.Entry<Float, Integer>> it = slots.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Float, Integer> e = it.next();
      if (!inUse.contains(e.getValue())) {
        it.remove();
        return e.getValue();
      }
    }
    throw new IllegalStateException("no free modulation slot");
  }

  /** c = W2·SiLU(W1·e(t) + b1) + b2; slot's row = every adaLN layer applied to SiLU(c). */
  private void computeInto(float t, int slot) {
    int f = ModelConfig.TIME_FREQ;
    feat.copyFrom(Embeddings.timeFeatures(t), 0, 0, f);
    be.hostWrote(feat, 0, f);
    be.linear(Rows.of(h1, hid), Rows.of(feat, f), layer("t_embedder.mlp.0"), 1, hid, f, false);
    be.silu(h1, 0, h1, 0, hid);
    be.linear(Rows.of(h2, hid), Rows.of(h1, hid), layer("t_embedder.mlp.2"), 1, hid, hid, false);
    // every modulation reads SiLU(c)
    be.silu(h2, 0, h2, 0, hid);
    // block b's six vectors at column 6·H·b of the slot's row, the final two after them
    Rows set = Rows.of(mods, stride).row(slot);
    Rows cond = Rows.of(h2, hid);
    for (int b = 0; b < c.depth(); b++) {
      Dense adaLn = layer(WeightNames.block(b, "adaLN"));
      be.linear(set.col((long) b * 6 * hid), cond, adaLn, 1, 6 * hid, hid, false);
    }
    be.linear(
        set.col((long) c.depth() * 6 * hid), cond, layer("final.adaLN"), 1, 2 * hid, hid, false);
  }

  /** The weight and bias of the linear layer {@code name}. */
  private Dense layer(String name) {
    return Dense.of(w.get(name + ".weight"), w.get(name + ".bias"));
  }

  /**
   * Room for {@code n} sets in one batch; growing forgets every kept set (the new buffer is taken
   * before the old one is let go, so a failed allocation leaves the sets as they were).
   */
  private void ensure(int n) {
    if (n <= capacity()) return;
    int grown = Math.max(KEPT, n);
    FloatBuf next = FloatBuf.allocate((long) grown * stride);
    be.release(mods);
    mods = next;
    slots.clear();
  }

  /** Sets the slots hold: as many as {@code mods} has rows. */
  private int capacity() {
    return (int) (mods.size() / stride);
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
