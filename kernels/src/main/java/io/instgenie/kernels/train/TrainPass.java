package io.instgenie.kernels.train;

import io.instgenie.kernels.backend.Rows;
import io.instgenie.kernels.model.Embeddings;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.WeightNames;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.FloatBuffer;

/**
 * The instgenie-dit/1 forward over a micro-batch of full sequences with every activation the
 * backward pass needs kept, and that backward pass: the gradient of the rectified-flow loss with
 * respect to every tensor of the model (DESIGN.md "The model"). One instance per training thread;
 * weights are shared read-only, gradients are this instance's own.
 *
 * <p>Rows are laid out image by image: image i owns rows [i·T, (i+1)·T), its P prompt tokens first
 * and then its L image tokens. Every linear layer is one GEMM over all rows of the micro-batch;
 * attention, modulation and gates are per image. The buffers are a {@link TrainActivations}, the
 * elementwise pieces {@link TrainOps}.
 */
final class TrainPass {
  /**
   * Inputs for n images: x_t and the target velocity ([n·L·C·p²]), t ([n]), prompts ([n·P]), and
   * the loss weight of every image token ([n·L]; null: all 1).
   */
  record Batch(
      int n, float[] xt, float[] target, float[] t, int[] promptIds, float[] tokenWeights) {
    Batch(int n, float[] xt, float[] target, float[] t, int[] promptIds) {
      this(n, xt, target, t, promptIds, null);
    }

    /** The loss weight of value i of the velocity (1 without token weights). */
    float weight(int i, int patchDim) {
      return tokenWeights == null ? 1f : tokenWeights[i / patchDim];
    }
  }

  private final ModelConfig c;
  private final Params w;
  private final Params g;
  private final int hid;
  private final int heads;
  private final int hd;
  private final int depth;
  private final int prompt;
  private final int tokens;
  private final int seq;
  private final int pd;
  private final int h4;
  private final FloatBuf pe;
  private TrainActivations a;

  TrainPass(ModelConfig c, Params weights, Params grads) {
    this.c = c;
    this.w = weights;
    this.g = grads;
    this.hid = c.hiddenSize();
    this.heads = c.numHeads();
    this.hd = c.headDim();
    this.depth = c.depth();
    this.prompt = c.promptTokens();
    this.tokens = c.imageTokens();
    this.seq = c.sequenceLength();
    this.pd = c.patchDim();
    this.h4 = c.mlpRatio() * hid;
    this.pe = FloatBuf.of(Embeddings.positions(c));
  }

  /** The predicted velocity of every image token ([n·L·C·p²]). */
  float[] forward(Batch batch) {
    run(batch);
    return a.out.toArray(0, batch.n() * tokens * pd);
  }

  /**
   * Forward and backward: adds the gradient of {@code lossScale}·Σ w·(v̂ − v)² to this pass's
   * gradients and returns Σ w·(v̂ − v)² (summed in double; w the value's token weight).
   */
  double forwardBackward(Batch batch, double lossScale) {
    run(batch);
    int n = batch.n();
    int rows = n * tokens * pd;
    FloatBuffer out = a.out.floats();
    FloatBuffer dOut = a.dOut.floats();
    double sse = 0;
    for (int i = 0; i < rows; i++) {
      double e = out.get(i) - batch.target()[i];
      double we = batch.weight(i, pd) * e;
      sse += we * e;
      dOut.put(i, (float) (2 * lossScale * we));
    }
    backward(batch);
    return sse;
  }

  /** Σ w·(v̂ − v)² of a forward pass alone (for finite-difference checks). */
  double forwardBackwardLossOnly(Batch batch) {
    run(batch);
    FloatBuffer out = a.out.floats();
    double sse = 0;
    for (int i = 0, n = batch.n() * tokens * pd; i < n; i++) {
      double e = out.get(i) - batch.target()[i];
      sse += batch.weight(i, pd) * e * e;
    }
    return sse;
  }

  // ---------------------------------------------------------------- forward

  private void run(Batch batch) {
    int n = batch.n();
    if (a == null || a.n < n) a = new TrainActivations(c, n);
    int rows = n * seq;
    conditioning(batch);
    embed(batch);
    for (int b = 0; b < depth; b++) block(b, n, rows);
    // final layer on the image rows of the last block's output
    FloatBuffer y = a.xs[depth].floats();
    FloatBuffer yi = a.yImg.floats();
    for (int i = 0; i < n; i++) {
      for (int l = 0; l < tokens; l++) {
        int src = (i * seq + prompt + l) * hid;
        int dst = (i * tokens + l) * hid;
        for (int j = 0; j < hid; j++) yi.put(dst + j, y.get(src + j));
      }
    }
    TrainOps.layerNorm(a.yImg, a.xhatF, a.rstdF, n * tokens, hid);
    TrainOps.modulate(a.h, a.xhatF, finalMods(n), 0);
    Blas.linear(
        a.out, a.h, w.get("final.linear.weight"), w.get("final.linear.bias"), n * tokens, pd, hid);
  }

  /** e(t) → c → SiLU(c) → every block's six modulation vectors and the final layer's two. */
  private void conditioning(Batch batch) {
    int n = batch.n();
    int f = ModelConfig.TIME_FREQ;
    for (int i = 0; i < n; i++) a.e.copyFrom(Embeddings.timeFeatures(batch.t()[i]), 0, i * f, f);
    Blas.linear(
        a.a1, a.e, w.get("t_embedder.mlp.0.weight"), w.get("t_embedder.mlp.0.bias"), n, hid, f);
    TrainOps.silu(a.s1, a.a1, n * hid);
    Blas.linear(
        a.cv, a.s1, w.get("t_embedder.mlp.2.weight"), w.get("t_embedder.mlp.2.bias"), n, hid, hid);
    TrainOps.silu(a.sc, a.cv, n * hid);
    for (int b = 0; b < depth; b++) {
      Blas.linear(a.mods[b], a.sc, wb(b, "adaLN.weight"), wb(b, "adaLN.bias"), n, 6 * hid, hid);
    }
    Blas.linear(
        a.modsF, a.sc, w.get("final.adaLN.weight"), w.get("final.adaLN.bias"), n, 2 * hid, hid);
  }

  /** Prompt rows: embedding + prompt position; image rows: x_embedder(patch) + 2-D position. */
  private void embed(Batch batch) {
    int n = batch.n();
    a.patches.copyFrom(batch.xt(), 0, 0, n * tokens * pd);
    Blas.linear(
        a.embImg,
        a.patches,
        w.get("x_embedder.weight"),
        w.get("x_embedder.bias"),
        n * tokens,
        hid,
        pd);
    FloatBuffer x = a.xs[0].floats();
    FloatBuffer table = w.get("prompt_embed.weight").floats();
    FloatBuffer pos = w.get("prompt_pos").floats();
    FloatBuffer emb = a.embImg.floats();
    FloatBuffer pef = pe.floats();
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < prompt; r++) {
        int id = batch.promptIds()[i * prompt + r];
        int at = (i * seq + r) * hid;
        for (int j = 0; j < hid; j++) x.put(at + j, table.get(id * hid + j) + pos.get(r * hid + j));
      }
      for (int l = 0; l < tokens; l++) {
        int at = (i * seq + prompt + l) * hid;
        int src = (i * tokens + l) * hid;
        for (int j = 0; j < hid; j++) x.put(at + j, emb.get(src + j) + pef.get(l * hid + j));
      }
    }
  }

  private void block(int b, int n, int rows) {
    TrainActivations.Block k = a.blk[b];
    Mods m = blockMods(b, n);
    TrainOps.layerNorm(a.xs[b], k.xhat1, k.rstd1, rows, hid);
    TrainOps.modulate(a.h, k.xhat1, m, 0);
    Blas.linear(k.qkv, a.h, wb(b, "attn.qkv.weight"), wb(b, "attn.qkv.bias"), rows, 3 * hid, hid);
    for (int i = 0; i < n; i++) {
      for (int e = 0; e < heads; e++) attention(k, i, e);
    }
    Blas.linear(k.att, k.o, wb(b, "attn.proj.weight"), wb(b, "attn.proj.bias"), rows, hid, hid);
    TrainOps.gatedSum(k.xmid, a.xs[b], k.att, m, 2);
    TrainOps.layerNorm(k.xmid, k.xhat2, k.rstd2, rows, hid);
    TrainOps.modulate(a.h, k.xhat2, m, 3);
    Blas.linear(k.u, a.h, wb(b, "mlp.fc1.weight"), wb(b, "mlp.fc1.bias"), rows, h4, hid);
    TrainOps.gelu(k.gl, k.th, k.u, rows * h4);
    Blas.linear(k.f, k.gl, wb(b, "mlp.fc2.weight"), wb(b, "mlp.fc2.bias"), rows, hid, h4);
    TrainOps.gatedSum(a.xs[b + 1], k.xmid, k.f, m, 5);
  }

  /** Block b's six modulation chunks per image (shift, scale, gate twice), over its sequences. */
  private Mods blockMods(int b, int n) {
    return new Mods(a.mods[b], a.dmods, 6 * hid, n, seq, hid);
  }

  /** The final layer's (shift, scale) per image, over the image rows only. */
  private Mods finalMods(int n) {
    return new Mods(a.modsF, a.dmodsF, 2 * hid, n, tokens, hid);
  }

  /** One head of one image: probs = softmax(q·kᵀ/√d) kept for backward, o = probs·v. */
  private void attention(TrainActivations.Block k, int i, int e) {
    Rows q = head(k.qkv, 3 * hid, i, e);
    long p = ((long) i * heads + e) * seq * seq;
    Rows probs = new Rows(k.probs, p, seq);
    Blas.gemm(false, true, seq, seq, hd, (float) (1 / Math.sqrt(hd)), q, q.col(hid), 0f, probs);
    TrainOps.softmaxRows(k.probs, p, seq, seq);
    Blas.gemm(false, false, seq, hd, seq, 1f, probs, q.col(2L * hid), 0f, head(k.o, hid, i, e));
  }

  /** Head e's columns of image i's rows in a buffer of {@code ld}-wide rows (qkv: its q part). */
  private Rows head(FloatBuf b, int ld, int i, int e) {
    return Rows.of(b, ld).row((long) i * seq).col((long) e * hd);
  }

  // ---------------------------------------------------------------- backward

  private void backward(Batch batch) {
    int n = batch.n();
    int rows = n * seq;
    int ni = n * tokens;
    a.dsc.fill(0, (long) n * hid, 0f);
    // final layer
    a.dmodsF.fill(0, (long) n * 2 * hid, 0f);
    TrainOps.modulate(a.h, a.xhatF, finalMods(n), 0);
    Blas.linearBackward(
        a.dOut,
        a.h,
        w.get("final.linear.weight"),
        g.get("final.linear.weight"),
        g.get("final.linear.bias"),
        a.dh,
        ni,
        pd,
        hid,
        false);
    a.dyImg.fill(0, (long) ni * hid, 0f);
    TrainOps.modulateBackward(a.dh, a.xhatF, a.rstdF, finalMods(n), 0, a.dyImg);
    Blas.linearBackward(
        a.dmodsF,
        a.sc,
        w.get("final.adaLN.weight"),
        g.get("final.adaLN.weight"),
        g.get("final.adaLN.bias"),
        a.dsc,
        n,
        2 * hid,
        hid,
        true);
    FloatBuffer dx = a.dx.floats();
    FloatBuffer dy = a.dyImg.floats();
    a.dx.fill(0, (long) rows * hid, 0f);
    for (int i = 0; i < n; i++) {
      for (int l = 0; l < tokens; l++) {
        int at = (i * seq + prompt + l) * hid;
        int src = (i * tokens + l) * hid;
        for (int j = 0; j < hid; j++) dx.put(at + j, dy.get(src + j));
      }
    }
    for (int b = depth - 1; b >= 0; b--) blockBackward(b, n, rows);
    embedBackward(batch);
    timeBackward(n);
  }

  /** On entry a.dx holds dL/d(block output); on exit dL/d(block input). */
  private void blockBackward(int b, int n, int rows) {
    TrainActivations.Block k = a.blk[b];
    Mods m = blockMods(b, n);
    FloatBuf dmods = m.grads();
    int ms = m.perImage();
    dmods.fill(0, (long) n * ms, 0f);
    // X_out = X_mid + gate2⊙f
    TrainOps.gateBackward(a.dx, k.f, m, 5, a.dt);
    Blas.linearBackward(
        a.dt,
        k.gl,
        wb(b, "mlp.fc2.weight"),
        gb(b, "mlp.fc2.weight"),
        gb(b, "mlp.fc2.bias"),
        a.dgl,
        rows,
        hid,
        h4,
        false);
    TrainOps.geluBackward(a.dgl, k.u, k.th, rows * h4);
    TrainOps.modulate(a.h, k.xhat2, m, 3);
    Blas.linearBackward(
        a.dgl,
        a.h,
        wb(b, "mlp.fc1.weight"),
        gb(b, "mlp.fc1.weight"),
        gb(b, "mlp.fc1.bias"),
        a.dh,
        rows,
        h4,
        hid,
        false);
    TrainOps.modulateBackward(a.dh, k.xhat2, k.rstd2, m, 3, a.dx);
    // X_mid = X_in + gate1⊙att
    TrainOps.gateBackward(a.dx, k.att, m, 2, a.dt);
    Blas.linearBackward(
        a.dt,
        k.o,
        wb(b, "attn.proj.weight"),
        gb(b, "attn.proj.weight"),
        gb(b, "attn.proj.bias"),
        a.dO,
        rows,
        hid,
        hid,
        false);
    for (int i = 0; i < n; i++) {
      for (int e = 0; e < heads; e++) attentionBackward(k, i, e);
    }
    TrainOps.modulate(a.h, k.xhat1, m, 0);
    Blas.linearBackward(
        a.dqkv,
        a.h,
        wb(b, "attn.qkv.weight"),
        gb(b, "attn.qkv.weight"),
        gb(b, "attn.qkv.bias"),
        a.dh,
        rows,
        3 * hid,
        hid,
        false);
    TrainOps.modulateBackward(a.dh, k.xhat1, k.rstd1, m, 0, a.dx);
    Blas.linearBackward(
        dmods,
        a.sc,
        wb(b, "adaLN.weight"),
        gb(b, "adaLN.weight"),
        gb(b, "adaLN.bias"),
        a.dsc,
        n,
        ms,
        hid,
        true);
  }

  /**
   * Backward of softmax attention for one head of one image: dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P⊙(dP −
   * rowsum(dP⊙P)), dQ = dS·K/√d, dK = dSᵀ·Q/√d.
   */
  private void attentionBackward(TrainActivations.Block k, int i, int e) {
    Rows q = head(k.qkv, 3 * hid, i, e);
    Rows dq = head(a.dqkv, 3 * hid, i, e);
    long p = ((long) i * heads + e) * seq * seq;
    Rows probs = new Rows(k.probs, p, seq);
    Rows dO = head(a.dO, hid, i, e);
    Rows dp = Rows.of(a.dp, seq);
    float alpha = (float) (1 / Math.sqrt(hd));
    Blas.gemm(true, false, seq, hd, seq, 1f, probs, dO, 0f, dq.col(2L * hid));
    Blas.gemm(false, true, seq, seq, hd, 1f, dO, q.col(2L * hid), 0f, dp);
    TrainOps.softmaxBackward(k.probs, p, a.dp, 0, seq, seq);
    Blas.gemm(false, false, seq, hd, seq, alpha, dp, q.col(hid), 0f, dq);
    Blas.gemm(true, false, seq, hd, seq, alpha, dp, q, 0f, dq.col(hid));
  }

  private void embedBackward(Batch batch) {
    int n = batch.n();
    FloatBuffer dx = a.dx.floats();
    FloatBuffer dTable = g.get("prompt_embed.weight").floats();
    FloatBuffer dPos = g.get("prompt_pos").floats();
    FloatBuffer dEmb = a.dyImg.floats();
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < prompt; r++) {
        int id = batch.promptIds()[i * prompt + r];
        int at = (i * seq + r) * hid;
        for (int j = 0; j < hid; j++) {
          float v = dx.get(at + j);
          dTable.put(id * hid + j, dTable.get(id * hid + j) + v);
          dPos.put(r * hid + j, dPos.get(r * hid + j) + v);
        }
      }
      for (int l = 0; l < tokens; l++) {
        int at = (i * seq + prompt + l) * hid;
        int dst = (i * tokens + l) * hid;
        for (int j = 0; j < hid; j++) dEmb.put(dst + j, dx.get(at + j));
      }
    }
    Blas.linearBackward(
        a.dyImg,
        a.patches,
        w.get("x_embedder.weight"),
        g.get("x_embedder.weight"),
        g.get("x_embedder.bias"),
        null,
        n * tokens,
        hid,
        pd,
        false);
  }

  private void timeBackward(int n) {
    int f = ModelConfig.TIME_FREQ;
    TrainOps.siluBackward(a.dsc, a.cv, n * hid);
    Blas.linearBackward(
        a.dsc,
        a.s1,
        w.get("t_embedder.mlp.2.weight"),
        g.get("t_embedder.mlp.2.weight"),
        g.get("t_embedder.mlp.2.bias"),
        a.ds1,
        n,
        hid,
        hid,
        false);
    TrainOps.siluBackward(a.ds1, a.a1, n * hid);
    Blas.linearBackward(
        a.ds1,
        a.e,
        w.get("t_embedder.mlp.0.weight"),
        g.get("t_embedder.mlp.0.weight"),
        g.get("t_embedder.mlp.0.bias"),
        null,
        n,
        hid,
        f,
        false);
  }

  private FloatBuf wb(int b, String name) {
    return w.get(WeightNames.block(b, name));
  }

  private FloatBuf gb(int b, String name) {
    return g.get(WeightNames.block(b, name));
  }
}
