package io.instgenie.kernels.dit;

import io.instgenie.kernels.backend.Backend;
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
    BlockMode[] plan = modes;
    if (plan == null) {
      plan = new BlockMode[c.depth()];
      Arrays.fill(plan, BlockMode.CACHE);
    }
    boolean staged = staging != null && beginStaging(seqs, plan);
    try {
      embed(seqs, lay);
      for (int b = 0; b < c.depth(); b++) block(b, plan[b], seqs, lay, modIndex, staged);
      finalLayer(seqs, lay, modIndex);
    } finally {
      if (staged) staging.end();
    }
  }

  /** Hands the masked sequences' sources to the backend's staging; false when there are none. */
  private boolean beginStaging(List<Sequence> seqs, BlockMode[] plan) {
    List<BlockSource> sources = new ArrayList<>();
    List<int[]> tokens = new ArrayList<>();
    for (Sequence q : seqs) {
      if (q.inactive.length == 0) continue;
      sources.add(q.cache);
      tokens.add(q.inactive);
    }
    if (sources.isEmpty()) return false;
    staging.begin(sources, tokens, plan, c.imageTokens(), hid);
    return true;
  }

  /** Prompt rows: embedding + prompt position; image rows: x_embedder(patch) + 2-D position. */
  private void embed(List<Sequence> seqs, BatchLayout lay) {
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
      embedImageRows(q, q.inactive, lay.inactiveStart[s]);
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
        ws.x,
        (long) row * hid,
        hid,
        ws.patches,
        0,
        patchDim,
        w.get("x_embedder.weight"),
        0,
        null,
        0,
        tokens.length,
        hid,
        patchDim,
        true);
  }

  private void block(
      int b, BlockMode mode, List<Sequence> seqs, BatchLayout lay, int[] modIndex, boolean staged) {
    boolean all = mode == BlockMode.RECOMPUTE;
    int rq = all ? lay.total : lay.activeTotal;
    int h3 = 3 * hid;
    // h = LN(X)⊙(1+scale1)+shift1 on every row (K and V need all of them)
    for (int s = 0; s < seqs.size(); s++) {
      long m = cond.blockOffset(modIndex[s], b);
      modulate(lay.activeStart[s], lay.activeRows[s], m, 0, hid);
      modulate(lay.inactiveStart[s], lay.inactiveRows[s], m, 0, hid);
    }
    // qkv for query rows, k and v only (weight rows H..3H) for cached rows
    FloatBuf wqkv = w.get(WeightNames.block(b, "attn.qkv.weight"));
    FloatBuf bqkv = w.get(WeightNames.block(b, "attn.qkv.bias"));
    be.linear(ws.qkv, 0, h3, ws.hn, 0, hid, wqkv, 0, bqkv, 0, rq, h3, hid, false);
    if (rq < lay.total) {
      be.linear(
          ws.qkv,
          (long) rq * h3 + hid,
          h3,
          ws.hn,
          (long) rq * hid,
          hid,
          wqkv,
          (long) hid * hid,
          bqkv,
          hid,
          lay.total - rq,
          2 * hid,
          hid,
          false);
    }
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
      if (!all && q.inactive.length > 0) {
        long at = (long) lay.inactiveStart[s] * hid;
        if (staged) {
          staging.gather(q.cache, b, q.inactive, ws.x, at);
        } else {
          q.cache.gather(b, q.inactive, ws.x, at);
          be.hostWrote(ws.x, at, (long) q.inactive.length * hid);
        }
      }
      if (q.recorder != null) {
        long at = (long) (lay.activeStart[s] + promptLen) * hid;
        be.hostReads(ws.x, at, (long) q.active.length * hid);
        q.recorder.accept(b, ws.x, at);
      }
    }
    if (staged && !all) staging.blockDone(b);
  }

  /** y[rows, n] = x[rows, k]·Wᵀ + b for the layer {@code name}, both matrices from row 0, dense. */
  private void layer(String name, FloatBuf y, FloatBuf x, int rows, int n, int k) {
    be.linear(
        y, 0, n, x, 0, k, w.get(name + ".weight"), 0, w.get(name + ".bias"), 0, rows, n, k, false);
  }

  /**
   * hn[rows] = LN(x[rows])⊙(1+scale)+shift with (shift, scale) at chunk {@code k}, {@code k+1} of
   * the block's mods.
   */
  private void modulate(int row, int rows, long modBase, int k, int h) {
    if (rows == 0) return;
    be.layerNormModulate(
        ws.hn,
        (long) row * h,
        ws.x,
        (long) row * h,
        rows,
        h,
        cond.mods(),
        modBase + (long) k * h,
        modBase + (long) (k + 1) * h,
        ModelConfig.LN_EPS);
  }

  private void attend(int qRow, int nq, BatchLayout lay, int s) {
    if (nq == 0) return;
    be.attention(
        ws.o,
        qRow,
        hid,
        ws.qkv,
        3 * hid,
        qRow,
        nq,
        lay.activeStart[s],
        lay.activeRows[s],
        lay.inactiveStart[s],
        lay.inactiveRows[s],
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
    be.linear(
        ws.patches,
        0,
        patchDim,
        ws.hn,
        0,
        hid,
        w.get("final.linear.weight"),
        0,
        w.get("final.linear.bias"),
        0,
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

  /** Work buffers sized for the largest batch so far. */
  private static final class Workspace {
    FloatBuf x = FloatBuf.allocate(0);
    FloatBuf hn = x;
    FloatBuf qkv = x;
    FloatBuf o = x;
    FloatBuf tmp = x;
    FloatBuf mlp = x;
    FloatBuf patches = x;
    int rows = -1;

    /** Grows to {@code total} rows; the outgrown buffers are released to {@code be}. */
    void ensure(int total, int h, int ratio, int patchDim, Backend be) {
      if (total <= rows) return;
      for (FloatBuf b : new FloatBuf[] {x, hn, qkv, o, tmp, mlp, patches}) be.release(b);
      rows = total;
      x = FloatBuf.allocate((long) total * h);
      hn = FloatBuf.allocate((long) total * h);
      qkv = FloatBuf.allocate((long) total * 3 * h);
      o = FloatBuf.allocate((long) total * h);
      tmp = FloatBuf.allocate((long) total * h);
      mlp = FloatBuf.allocate((long) total * ratio * h);
      patches = FloatBuf.allocate((long) total * patchDim);
    }
  }
}
