package io.instgenie.kernels.dit;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.Dense;
import io.instgenie.kernels.backend.Modulation;
import io.instgenie.kernels.backend.Rows;
import io.instgenie.kernels.backend.Span;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.cached.CachedRowStaging;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.WeightNames;
import io.instgenie.kernels.model.Weights;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The instgenie-dit/1 forward pass over a packed batch of sequences, full or masked (DESIGN.md).
 * Not thread-safe: one instance per step loop; its work buffers grow to the largest batch seen.
 */
public final class DitForward {
  private final DitModel model;
  private final Backend be;
  private final ModelConfig c;
  private final Weights w;
  private final int hid;
  private final int promptLen;
  private final int patchDim;
  private final Workspace ws = new Workspace();
  private final Conditioning cond;
  // the backend's own cached-row path (GPU), or null: gather on the host
  private final CachedRowStaging staging;

  public DitForward(DitModel model, Backend backend) {
    this.model = model;
    this.be = backend;
    this.c = model.config();
    this.w = model.weights();
    this.hid = c.hiddenSize();
    this.promptLen = c.promptTokens();
    this.patchDim = c.patchDim();
    this.cond = new Conditioning(model, backend);
    this.staging = backend instanceof CachedRowStaging s ? s : null;
  }

  public ModelConfig config() {
    return c;
  }

  public Backend backend() {
    return be;
  }

  /**
   * Runs every sequence; blocks use {@code modes[b]} (null: cache everywhere) where a sequence has
   * cached rows. The whole forward runs on the backend's thread; host reads and writes of the work
   * buffers are announced to the backend (see {@link Backend}).
   */
  public void run(List<Sequence> seqs, BlockMode[] modes) {
    if (seqs.isEmpty()) return;
    be.run(() -> runHere(seqs, modes));
  }

  private void runHere(List<Sequence> seqs, BlockMode[] modes) {
    BatchLayout lay = new BatchLayout(seqs, promptLen);
    ws.ensure(lay.total, hid, c.mlpRatio(), patchDim, be);
    int[] modIndex = cond.compute(seqs);
    BlockMode[] plan = planFor(modes, lay);
    boolean staged = staging != null && beginStaging(seqs, plan);
    try {
      embed(seqs, lay, plan[0] == BlockMode.RECOMPUTE);
      for (int b = 0; b < c.depth(); b++) {
        block(b, plan[b], CacheKind.KV.reads(plan, b), seqs, lay, modIndex, staged);
      }
      finalLayer(seqs, lay, modIndex);
    } finally {
      if (staged) staging.end();
    }
  }

  /**
   * The block modes: null means CACHE everywhere. With a K/V-cache sequence in the batch only a
   * prefix of blocks may recompute (a later block would need unmasked rows' inputs, which a K/V
   * cache does not keep).
   */
  private BlockMode[] planFor(BlockMode[] modes, BatchLayout lay) {
    BlockMode[] plan = modes;
    if (plan == null) {
      plan = new BlockMode[c.depth()];
      Arrays.fill(plan, BlockMode.CACHE);
    }
    if (plan.length != c.depth()) {
      throw new IllegalArgumentException(
          "a plan needs " + c.depth() + " block modes, got " + plan.length);
    }
    if (lay.kvStart < lay.total) {
      for (int b = 1; b < plan.length; b++) {
        if (plan[b] == BlockMode.RECOMPUTE && plan[b - 1] == BlockMode.CACHE) {
          throw new IllegalArgumentException(
              "a K/V cache allows recomputing a prefix of blocks only, got "
                  + Arrays.toString(plan));
        }
      }
    }
    return plan;
  }

  /** Hands the Y-cache sequences' sources to the backend's staging; false when there are none. */
  private boolean beginStaging(List<Sequence> seqs, BlockMode[] plan) {
    List<BlockSource> sources = new ArrayList<>();
    List<int[]> tokens = new ArrayList<>();
    for (Sequence q : seqs) {
      // K/V rows are gathered on the host and announced (hostWrote), on every backend
      if (q.inactive.length == 0 || q.readsKv()) continue;
      sources.add(q.cache);
      tokens.add(q.inactive);
    }
    if (sources.isEmpty()) return false;
    staging.begin(sources, tokens, plan, c.imageTokens(), hid);
    return true;
  }

  /**
   * Prompt rows: embedding + prompt position; image rows: x_embedder(patch) + 2-D position. A K/V
   * sequence's cached rows are embedded only for a plan that recomputes block 0.
   */
  private void embed(List<Sequence> seqs, BatchLayout lay, boolean recomputeFirst) {
    FloatBuf table = w.get("prompt_embed.weight");
    FloatBuf pos = w.get("prompt_pos");
    for (int s = 0; s < seqs.size(); s++) {
      Sequence q = seqs.get(s);
      long base = (long) lay.activeStart[s] * hid;
      for (int r = 0; r < promptLen; r++) {
        long at = base + (long) r * hid;
        for (int j = 0; j < hid; j++) {
          ws.x.set(
              at + j, table.get((long) q.promptIds[r] * hid + j) + pos.get((long) r * hid + j));
        }
      }
      be.hostWrote(ws.x, base, (long) promptLen * hid);
      embedImageRows(q, q.active, lay.activeStart[s] + promptLen);
      if (recomputeFirst || !q.readsKv()) embedImageRows(q, q.inactive, lay.inactiveStart[s]);
    }
  }

  /**
   * x_embedder(patch) + pe: the constant rows (bias + position) first, then the GEMM adds W·patch.
   */
  private void embedImageRows(Sequence q, int[] tokens, int row) {
    if (tokens.length == 0) return;
    for (int i = 0; i < tokens.length; i++) {
      ws.patches.copyFrom(q.patches, tokens[i] * patchDim, (long) i * patchDim, patchDim);
      ws.x.copyFrom(model.tokenBias(), (long) tokens[i] * hid, (long) (row + i) * hid, hid);
    }
    be.hostWrote(ws.patches, 0, (long) tokens.length * patchDim);
    be.hostWrote(ws.x, (long) row * hid, (long) tokens.length * hid);
    be.linear(
        Rows.of(ws.x, hid).row(row),
        Rows.of(ws.patches, patchDim),
        Dense.of(w.get("x_embedder.weight")),
        tokens.length,
        hid,
        patchDim,
        true);
  }

  /**
   * Block b. {@code kvCached}: K/V sequences take their unmasked rows' keys and values from the
   * cache; false in a recomputed block and in the first cached block after a recomputed prefix,
   * where the unmasked rows' inputs are at hand and K/V are projected from them as in cache-Y mode
   * (so both modes give the same numbers for every plan a K/V cache allows).
   */
  private void block(
      int b,
      BlockMode mode,
      boolean kvCached,
      List<Sequence> seqs,
      BatchLayout lay,
      int[] modIndex,
      boolean staged) {
    boolean all = mode == BlockMode.RECOMPUTE;
    int rq = all ? lay.total : lay.activeTotal;
    int kvEnd = kvCached ? lay.kvStart : lay.total;
    int h3 = 3 * hid;
    // h = LN(X)⊙(1+scale1)+shift1 on every row whose K and V are computed here
    for (int s = 0; s < seqs.size(); s++) {
      long m = cond.blockOffset(modIndex[s], b);
      modulate(lay.activeStart[s], lay.activeRows[s], m, 0, hid);
      if (!kvCached || !seqs.get(s).readsKv()) {
        modulate(lay.inactiveStart[s], lay.inactiveRows[s], m, 0, hid);
      }
    }
    // qkv for query rows, k and v only (weight rows H..3H) for Y-cache rows, none for K/V rows
    Dense wqkv =
        Dense.of(
            w.get(WeightNames.block(b, "attn.qkv.weight")),
            w.get(WeightNames.block(b, "attn.qkv.bias")));
    Rows qkv = Rows.of(ws.qkv, h3);
    Rows hn = Rows.of(ws.hn, hid);
    be.linear(qkv, hn, wqkv, rq, h3, hid, false);
    if (rq < kvEnd) {
      be.linear(
          qkv.row(rq).col(hid),
          hn.row(rq),
          wqkv.outputsFrom(hid, hid),
          kvEnd - rq,
          2 * hid,
          hid,
          false);
    }
    if (kvCached) gatherKv(b, seqs, lay);
    recordKv(b, seqs, lay);
    for (int s = 0; s < seqs.size(); s++) {
      attend(lay.activeStart[s], lay.activeRows[s], lay, s);
      if (all) attend(lay.inactiveStart[s], lay.inactiveRows[s], lay, s);
    }
    layer(WeightNames.block(b, "attn.proj"), ws.tmp, ws.o, rq, hid, hid);
    gate(seqs, lay, modIndex, b, 2, all);
    // h = LN(X)⊙(1+scale2)+shift2 on query rows; MLP; X += gate2⊙mlp
    for (int s = 0; s < seqs.size(); s++) {
      long m = cond.blockOffset(modIndex[s], b);
      modulate(lay.activeStart[s], lay.activeRows[s], m, 3, hid);
      if (all) modulate(lay.inactiveStart[s], lay.inactiveRows[s], m, 3, hid);
    }
    int h4 = c.mlpRatio() * hid;
    layer(WeightNames.block(b, "mlp.fc1"), ws.mlp, ws.hn, rq, h4, hid);
    be.geluTanh(ws.mlp, 0, (long) rq * h4);
    layer(WeightNames.block(b, "mlp.fc2"), ws.tmp, ws.mlp, rq, hid, h4);
    gate(seqs, lay, modIndex, b, 5, all);
    for (int s = 0; s < seqs.size(); s++) {
      Sequence q = seqs.get(s);
      if (!all && q.inactive.length > 0 && !q.readsKv()) {
        long at = (long) lay.inactiveStart[s] * hid;
        if (staged) {
          staging.gather(q.cache, b, q.inactive, ws.x, at);
        } else {
          q.cache.gather(b, q.inactive, ws.x, at);
          be.hostWrote(ws.x, at, (long) q.inactive.length * hid);
        }
      }
      if (q.recorder != null && q.recorder.kind() == CacheKind.Y) {
        long at = (long) (lay.activeStart[s] + promptLen) * hid;
        be.hostReads(ws.x, at, (long) q.active.length * hid);
        q.recorder.accept(b, ws.x, at);
      }
    }
    if (staged && !all) staging.blockDone(b);
  }

  /** K/V sequences' cached rows: k and v straight into columns H..3H of their qkv rows. */
  private void gatherKv(int b, List<Sequence> seqs, BatchLayout lay) {
    int h3 = 3 * hid;
    for (int s = 0; s < seqs.size(); s++) {
      Sequence q = seqs.get(s);
      if (!q.readsKv()) continue;
      long at = (long) lay.inactiveStart[s] * h3;
      q.cache.gather(b, q.inactive, ws.qkv, at + hid, h3, 2 * hid);
      be.hostWrote(ws.qkv, at, (long) q.inactive.length * h3);
    }
  }

  /** A K/V template run's record of block b: k and v of every image row, L rows of 2H. */
  private void recordKv(int b, List<Sequence> seqs, BatchLayout lay) {
    int h3 = 3 * hid;
    for (int s = 0; s < seqs.size(); s++) {
      Sequence q = seqs.get(s);
      if (q.recorder == null || q.recorder.kind() != CacheKind.KV) continue;
      long at = (long) (lay.activeStart[s] + promptLen) * h3;
      int n = q.active.length;
      be.hostReads(ws.qkv, at, (long) n * h3);
      FloatBuf rows = ws.kvRecord((long) n * 2 * hid, be);
      for (int i = 0; i < n; i++) {
        rows.copyFrom(ws.qkv, at + (long) i * h3 + hid, (long) i * 2 * hid, 2 * hid);
      }
      q.recorder.accept(b, rows, 0);
    }
  }

  /** y[rows, n] = x[rows, k]·Wᵀ + b for the layer {@code name}, both matrices from row 0, dense. */
  private void layer(String name, FloatBuf y, FloatBuf x, int rows, int n, int k) {
    Dense layer = Dense.of(w.get(name + ".weight"), w.get(name + ".bias"));
    be.linear(Rows.of(y, n), Rows.of(x, k), layer, rows, n, k, false);
  }

  /**
   * hn[rows] = LN(x[rows])⊙(1+scale)+shift with (shift, scale) at chunk {@code k}, {@code k+1} of
   * the block's mods.
   */
  private void modulate(int row, int rows, long modBase, int k, int h) {
    if (rows == 0) return;
    Modulation mod =
        new Modulation(cond.mods(), modBase + (long) k * h, modBase + (long) (k + 1) * h);
    be.layerNormModulate(
        Rows.of(ws.hn, h).row(row), Rows.of(ws.x, h).row(row), rows, h, mod, ModelConfig.LN_EPS);
  }

  private void attend(int qRow, int nq, BatchLayout lay, int s) {
    if (nq == 0) return;
    be.attention(
        Rows.of(ws.o, hid).row(qRow),
        Rows.of(ws.qkv, 3 * hid),
        new Span(qRow, nq),
        new Span(lay.activeStart[s], lay.activeRows[s]),
        new Span(lay.inactiveStart[s], lay.inactiveRows[s]),
        c.numHeads(),
        c.headDim());
  }

  /**
   * X += gate⊙tmp on each sequence's query rows, the gate being chunk {@code k} of the block's
   * mods.
   */
  private void gate(
      List<Sequence> seqs, BatchLayout lay, int[] modIndex, int b, int k, boolean all) {
    for (int s = 0; s < seqs.size(); s++) {
      long g = cond.blockOffset(modIndex[s], b) + (long) k * hid;
      gateRows(lay.activeStart[s], lay.activeRows[s], g);
      if (all) gateRows(lay.inactiveStart[s], lay.inactiveRows[s], g);
    }
  }

  private void gateRows(int row, int rows, long g) {
    if (rows == 0) return;
    be.gatedAdd(ws.x, (long) row * hid, ws.tmp, (long) row * hid, cond.mods(), g, rows, hid);
  }

  /** Velocity of the computed image tokens: LN, (shift, scale) from final.adaLN, final.linear. */
  private void finalLayer(List<Sequence> seqs, BatchLayout lay, int[] modIndex) {
    boolean any = false;
    for (int s = 0; s < seqs.size(); s++) {
      Sequence q = seqs.get(s);
      if (q.velocity == null || q.active.length == 0) continue;
      any = true;
      modulate(
          lay.activeStart[s] + promptLen, q.active.length, cond.finalOffset(modIndex[s]), 0, hid);
    }
    if (!any) return;
    Dense fin = Dense.of(w.get("final.linear.weight"), w.get("final.linear.bias"));
    be.linear(
        Rows.of(ws.patches, patchDim),
        Rows.of(ws.hn, hid),
        fin,
        lay.activeTotal,
        patchDim,
        hid,
        false);
    for (int s = 0; s < seqs.size(); s++) {
      Sequence q = seqs.get(s);
      if (q.velocity == null || q.active.length == 0) continue;
      long at = (long) (lay.activeStart[s] + promptLen) * patchDim;
      be.hostReads(ws.patches, at, (long) q.active.length * patchDim);
      ws.patches.copyTo(
          (long) (lay.activeStart[s] + promptLen) * patchDim,
          q.velocity,
          0,
          q.active.length * patchDim);
    }
  }
}
