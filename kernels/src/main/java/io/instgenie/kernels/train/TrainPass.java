package io.instgenie.kernels.train;

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
 * attention, modulation and gates are per image.
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
  private Acts a;

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
    if (a == null || a.n < n) a = new Acts(n);
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
    layerNorm(a.yImg, a.xhatF, a.rstdF, n * tokens);
    modulate(a.h, a.xhatF, a.modsF, 2 * hid, 0, n, tokens);
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
    silu(a.s1, a.a1, n * hid);
    Blas.linear(
        a.cv, a.s1, w.get("t_embedder.mlp.2.weight"), w.get("t_embedder.mlp.2.bias"), n, hid, hid);
    silu(a.sc, a.cv, n * hid);
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
    Blk k = a.blk[b];
    FloatBuf mods = a.mods[b];
    int ms = 6 * hid;
    layerNorm(a.xs[b], k.xhat1, k.rstd1, rows);
    modulate(a.h, k.xhat1, mods, ms, 0, n, seq);
    Blas.linear(k.qkv, a.h, wb(b, "attn.qkv.weight"), wb(b, "attn.qkv.bias"), rows, 3 * hid, hid);
    for (int i = 0; i < n; i++) {
      for (int e = 0; e < heads; e++) attention(k, i, e);
    }
    Blas.linear(k.att, k.o, wb(b, "attn.proj.weight"), wb(b, "attn.proj.bias"), rows, hid, hid);
    gatedSum(k.xmid, a.xs[b], k.att, mods, ms, 2, n);
    layerNorm(k.xmid, k.xhat2, k.rstd2, rows);
    modulate(a.h, k.xhat2, mods, ms, 3, n, seq);
    Blas.linear(k.u, a.h, wb(b, "mlp.fc1.weight"), wb(b, "mlp.fc1.bias"), rows, h4, hid);
    gelu(k.gl, k.th, k.u, rows * h4);
    Blas.linear(k.f, k.gl, wb(b, "mlp.fc2.weight"), wb(b, "mlp.fc2.bias"), rows, hid, h4);
    gatedSum(a.xs[b + 1], k.xmid, k.f, mods, ms, 5, n);
  }

  /** One head of one image: probs = softmax(q·kᵀ/√d) kept for backward, o = probs·v. */
  private void attention(Blk k, int i, int e) {
    int ld = 3 * hid;
    long q = (long) i * seq * ld + (long) e * hd;
    long p = ((long) i * heads + e) * seq * seq;
    Blas.gemm(
        false,
        true,
        seq,
        seq,
        hd,
        (float) (1 / Math.sqrt(hd)),
        k.qkv,
        q,
        ld,
        k.qkv,
        q + hid,
        ld,
        0f,
        k.probs,
        p,
        seq);
    FloatBuffer pf = k.probs.floats();
    for (int r = 0; r < seq; r++) {
      int at = (int) p + r * seq;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < seq; j++) max = Math.max(max, pf.get(at + j));
      double sum = 0;
      for (int j = 0; j < seq; j++) {
        float v = (float) Math.exp(pf.get(at + j) - max);
        pf.put(at + j, v);
        sum += v;
      }
      float inv = (float) (1 / sum);
      for (int j = 0; j < seq; j++) pf.put(at + j, pf.get(at + j) * inv);
    }
    Blas.gemm(
        false,
        false,
        seq,
        hd,
        seq,
        1f,
        k.probs,
        p,
        seq,
        k.qkv,
        q + 2L * hid,
        ld,
        0f,
        k.o,
        (long) i * seq * hid + (long) e * hd,
        hid);
  }

  // ---------------------------------------------------------------- backward

  private void backward(Batch batch) {
    int n = batch.n();
    int rows = n * seq;
    int ni = n * tokens;
    a.dsc.fill(0, (long) n * hid, 0f);
    // final layer
    a.dmodsF.fill(0, (long) n * 2 * hid, 0f);
    modulate(a.h, a.xhatF, a.modsF, 2 * hid, 0, n, tokens);
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
    modulateBackward(a.dh, a.xhatF, a.rstdF, a.modsF, a.dmodsF, 2 * hid, 0, n, tokens, a.dyImg);
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
    Blk k = a.blk[b];
    FloatBuf mods = a.mods[b];
    FloatBuf dmods = a.dmods;
    int ms = 6 * hid;
    dmods.fill(0, (long) n * ms, 0f);
    // X_out = X_mid + gate2⊙f
    gateBackward(a.dx, k.f, mods, dmods, ms, 5, n, a.dt);
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
    geluBackward(a.dgl, k.u, k.th, rows * h4);
    modulate(a.h, k.xhat2, mods, ms, 3, n, seq);
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
    modulateBackward(a.dh, k.xhat2, k.rstd2, mods, dmods, ms, 3, n, seq, a.dx);
    // X_mid = X_in + gate1⊙att
    gateBackward(a.dx, k.att, mods, dmods, ms, 2, n, a.dt);
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
    modulate(a.h, k.xhat1, mods, ms, 0, n, seq);
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
    modulateBackward(a.dh, k.xhat1, k.rstd1, mods, dmods, ms, 0, n, seq, a.dx);
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
  private void attentionBackward(Blk k, int i, int e) {
    int ld = 3 * hid;
    long q = (long) i * seq * ld + (long) e * hd;
    long p = ((long) i * heads + e) * seq * seq;
    long o = (long) i * seq * hid + (long) e * hd;
    float alpha = (float) (1 / Math.sqrt(hd));
    Blas.gemm(
        true, false, seq, hd, seq, 1f, k.probs, p, seq, a.dO, o, hid, 0f, a.dqkv, q + 2L * hid, ld);
    Blas.gemm(
        false, true, seq, seq, hd, 1f, a.dO, o, hid, k.qkv, q + 2L * hid, ld, 0f, a.dp, 0, seq);
    FloatBuffer pf = k.probs.floats();
    FloatBuffer df = a.dp.floats();
    for (int r = 0; r < seq; r++) {
      int at = (int) p + r * seq;
      int dat = r * seq;
      double dot = 0;
      for (int j = 0; j < seq; j++) dot += (double) df.get(dat + j) * pf.get(at + j);
      float fd = (float) dot;
      for (int j = 0; j < seq; j++) df.put(dat + j, pf.get(at + j) * (df.get(dat + j) - fd));
    }
    Blas.gemm(
        false, false, seq, hd, seq, alpha, a.dp, 0, seq, k.qkv, q + hid, ld, 0f, a.dqkv, q, ld);
    Blas.gemm(
        true, false, seq, hd, seq, alpha, a.dp, 0, seq, k.qkv, q, ld, 0f, a.dqkv, q + hid, ld);
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
    siluBackward(a.dsc, a.cv, n * hid);
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
    siluBackward(a.ds1, a.a1, n * hid);
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

  // ---------------------------------------------------------------- elementwise pieces

  /** xhat = (x − mean)·rstd per row (LayerNorm without affine, eps of the spec). */
  private void layerNorm(FloatBuf x, FloatBuf xhat, FloatBuf rstd, int rows) {
    FloatBuffer xf = x.floats();
    FloatBuffer hf = xhat.floats();
    for (int r = 0; r < rows; r++) {
      int at = r * hid;
      double s = 0;
      for (int j = 0; j < hid; j++) s += xf.get(at + j);
      double mean = s / hid;
      double v = 0;
      for (int j = 0; j < hid; j++) {
        double d = xf.get(at + j) - mean;
        v += d * d;
      }
      double inv = 1 / Math.sqrt(v / hid + ModelConfig.LN_EPS);
      rstd.set(r, (float) inv);
      for (int j = 0; j < hid; j++) hf.put(at + j, (float) ((xf.get(at + j) - mean) * inv));
    }
  }

  /**
   * h = xhat⊙(1 + scale) + shift, image i's (shift, scale) at chunks k, k+1 of its row of mods (row
   * stride {@code ms}); image i owns {@code per} consecutive rows.
   */
  private void modulate(FloatBuf h, FloatBuf xhat, FloatBuf mods, int ms, int k, int n, int per) {
    FloatBuffer hf = h.floats();
    FloatBuffer xf = xhat.floats();
    FloatBuffer mf = mods.floats();
    for (int i = 0; i < n; i++) {
      int shift = i * ms + k * hid;
      int scale = shift + hid;
      for (int r = i * per; r < (i + 1) * per; r++) {
        int at = r * hid;
        for (int j = 0; j < hid; j++) {
          hf.put(at + j, xf.get(at + j) * (1 + mf.get(scale + j)) + mf.get(shift + j));
        }
      }
    }
  }

  /**
   * Backward of {@link #modulate} and the LayerNorm before it: accumulates dshift and dscale into
   * dmods and adds dL/dx to {@code dx}.
   */
  private void modulateBackward(
      FloatBuf dh,
      FloatBuf xhat,
      FloatBuf rstd,
      FloatBuf mods,
      FloatBuf dmods,
      int ms,
      int k,
      int n,
      int per,
      FloatBuf dx) {
    FloatBuffer dhf = dh.floats();
    FloatBuffer xf = xhat.floats();
    FloatBuffer mf = mods.floats();
    FloatBuffer dmf = dmods.floats();
    FloatBuffer dxf = dx.floats();
    double[] dShift = new double[hid];
    double[] dScale = new double[hid];
    float[] dxhat = new float[hid];
    for (int i = 0; i < n; i++) {
      int shift = i * ms + k * hid;
      int scale = shift + hid;
      java.util.Arrays.fill(dShift, 0);
      java.util.Arrays.fill(dScale, 0);
      for (int r = i * per; r < (i + 1) * per; r++) {
        int at = r * hid;
        double m1 = 0;
        double m2 = 0;
        for (int j = 0; j < hid; j++) {
          float d = dhf.get(at + j);
          float xh = xf.get(at + j);
          dShift[j] += d;
          dScale[j] += d * xh;
          float dxh = d * (1 + mf.get(scale + j));
          dxhat[j] = dxh;
          m1 += dxh;
          m2 += dxh * xh;
        }
        float mean1 = (float) (m1 / hid);
        float mean2 = (float) (m2 / hid);
        float inv = rstd.get(r);
        for (int j = 0; j < hid; j++) {
          float v = inv * (dxhat[j] - mean1 - xf.get(at + j) * mean2);
          dxf.put(at + j, dxf.get(at + j) + v);
        }
      }
      for (int j = 0; j < hid; j++) {
        dmf.put(shift + j, dmf.get(shift + j) + (float) dShift[j]);
        dmf.put(scale + j, dmf.get(scale + j) + (float) dScale[j]);
      }
    }
  }

  /** out = x + gate⊙y with image i's gate at chunk k of its mods row. */
  private void gatedSum(FloatBuf out, FloatBuf x, FloatBuf y, FloatBuf mods, int ms, int k, int n) {
    FloatBuffer of = out.floats();
    FloatBuffer xf = x.floats();
    FloatBuffer yf = y.floats();
    FloatBuffer mf = mods.floats();
    for (int i = 0; i < n; i++) {
      int gate = i * ms + k * hid;
      for (int r = i * seq; r < (i + 1) * seq; r++) {
        int at = r * hid;
        for (int j = 0; j < hid; j++)
          of.put(at + j, xf.get(at + j) + mf.get(gate + j) * yf.get(at + j));
      }
    }
  }

  /** Backward of {@link #gatedSum} for y and the gate: dgate += Σ dOut⊙y, dy = dOut⊙gate. */
  private void gateBackward(
      FloatBuf dOut, FloatBuf y, FloatBuf mods, FloatBuf dmods, int ms, int k, int n, FloatBuf dy) {
    FloatBuffer df = dOut.floats();
    FloatBuffer yf = y.floats();
    FloatBuffer mf = mods.floats();
    FloatBuffer dmf = dmods.floats();
    FloatBuffer dyf = dy.floats();
    double[] dGate = new double[hid];
    for (int i = 0; i < n; i++) {
      int gate = i * ms + k * hid;
      java.util.Arrays.fill(dGate, 0);
      for (int r = i * seq; r < (i + 1) * seq; r++) {
        int at = r * hid;
        for (int j = 0; j < hid; j++) {
          float d = df.get(at + j);
          dGate[j] += d * yf.get(at + j);
          dyf.put(at + j, d * mf.get(gate + j));
        }
      }
      for (int j = 0; j < hid; j++) dmf.put(gate + j, dmf.get(gate + j) + (float) dGate[j]);
    }
  }

  private static final double GELU_K = Math.sqrt(2 / Math.PI);

  /**
   * y = 0.5·x·(1 + tanh(z)), z = √(2/π)(x + 0.044715x³); tanh(z) = 1 − 2/(e^{2z} + 1) (exp is an
   * intrinsic, Math.tanh is not) is kept in {@code th} for the backward pass.
   */
  private static void gelu(FloatBuf y, FloatBuf th, FloatBuf x, int count) {
    FloatBuffer yf = y.floats();
    FloatBuffer tf = th.floats();
    FloatBuffer xf = x.floats();
    for (int i = 0; i < count; i++) {
      double v = xf.get(i);
      double t = 1 - 2 / (Math.exp(2 * GELU_K * (v + 0.044715 * v * v * v)) + 1);
      tf.put(i, (float) t);
      yf.put(i, (float) (0.5 * v * (1 + t)));
    }
  }

  /** dx = dy·(0.5(1 + tanh z) + 0.5x(1 − tanh² z)·√(2/π)(1 + 3·0.044715x²)), in place in dy. */
  private static void geluBackward(FloatBuf dy, FloatBuf x, FloatBuf th, int count) {
    FloatBuffer df = dy.floats();
    FloatBuffer xf = x.floats();
    FloatBuffer tf = th.floats();
    for (int i = 0; i < count; i++) {
      float v = xf.get(i);
      float t = tf.get(i);
      float d = 0.5f * (1 + t) + 0.5f * v * (1 - t * t) * (float) GELU_K * (1 + 0.134145f * v * v);
      df.put(i, df.get(i) * d);
    }
  }

  private static void silu(FloatBuf y, FloatBuf x, int count) {
    for (int i = 0; i < count; i++) {
      double v = x.get(i);
      y.set(i, (float) (v / (1 + Math.exp(-v))));
    }
  }

  /** dy ← dy·SiLU'(x), SiLU'(x) = σ(x)(1 + x(1 − σ(x))). */
  private static void siluBackward(FloatBuf dy, FloatBuf x, int count) {
    for (int i = 0; i < count; i++) {
      double v = x.get(i);
      double s = 1 / (1 + Math.exp(-v));
      dy.set(i, (float) (dy.get(i) * s * (1 + v * (1 - s))));
    }
  }

  private FloatBuf wb(int b, String name) {
    return w.get(WeightNames.block(b, name));
  }

  private FloatBuf gb(int b, String name) {
    return g.get(WeightNames.block(b, name));
  }

  // ---------------------------------------------------------------- buffers

  /** One block's saved activations. */
  private final class Blk {
    final FloatBuf xhat1;
    final FloatBuf rstd1;
    final FloatBuf qkv;
    final FloatBuf probs;
    final FloatBuf o;
    final FloatBuf att;
    final FloatBuf xmid;
    final FloatBuf xhat2;
    final FloatBuf rstd2;
    final FloatBuf u;
    final FloatBuf th;
    final FloatBuf gl;
    final FloatBuf f;

    Blk(int n) {
      long rows = (long) n * seq;
      xhat1 = FloatBuf.allocate(rows * hid);
      rstd1 = FloatBuf.allocate(rows);
      qkv = FloatBuf.allocate(rows * 3 * hid);
      probs = FloatBuf.allocate((long) n * heads * seq * seq);
      o = FloatBuf.allocate(rows * hid);
      att = FloatBuf.allocate(rows * hid);
      xmid = FloatBuf.allocate(rows * hid);
      xhat2 = FloatBuf.allocate(rows * hid);
      rstd2 = FloatBuf.allocate(rows);
      u = FloatBuf.allocate(rows * h4);
      th = FloatBuf.allocate(rows * h4);
      gl = FloatBuf.allocate(rows * h4);
      f = FloatBuf.allocate(rows * hid);
    }
  }

  /** Every buffer of a pass over up to n images. */
  private final class Acts {
    final int n;
    final FloatBuf e;
    final FloatBuf a1;
    final FloatBuf s1;
    final FloatBuf cv;
    final FloatBuf sc;
    final FloatBuf[] mods;
    final FloatBuf modsF;
    final FloatBuf patches;
    final FloatBuf embImg;
    final FloatBuf[] xs;
    final Blk[] blk;
    final FloatBuf yImg;
    final FloatBuf xhatF;
    final FloatBuf rstdF;
    final FloatBuf h;
    final FloatBuf out;
    // gradients of activations (reused block to block)
    final FloatBuf dOut;
    final FloatBuf dh;
    final FloatBuf dyImg;
    final FloatBuf dx;
    final FloatBuf dt;
    final FloatBuf dgl;
    final FloatBuf dO;
    final FloatBuf dqkv;
    final FloatBuf dp;
    final FloatBuf dmods;
    final FloatBuf dmodsF;
    final FloatBuf dsc;
    final FloatBuf ds1;

    Acts(int n) {
      this.n = n;
      long rows = (long) n * seq;
      long img = (long) n * tokens;
      e = FloatBuf.allocate((long) n * ModelConfig.TIME_FREQ);
      a1 = FloatBuf.allocate((long) n * hid);
      s1 = FloatBuf.allocate((long) n * hid);
      cv = FloatBuf.allocate((long) n * hid);
      sc = FloatBuf.allocate((long) n * hid);
      mods = new FloatBuf[depth];
      for (int b = 0; b < depth; b++) mods[b] = FloatBuf.allocate((long) n * 6 * hid);
      modsF = FloatBuf.allocate((long) n * 2 * hid);
      patches = FloatBuf.allocate(img * pd);
      embImg = FloatBuf.allocate(img * hid);
      xs = new FloatBuf[depth + 1];
      for (int b = 0; b <= depth; b++) xs[b] = FloatBuf.allocate(rows * hid);
      blk = new Blk[depth];
      for (int b = 0; b < depth; b++) blk[b] = new Blk(n);
      yImg = FloatBuf.allocate(img * hid);
      xhatF = FloatBuf.allocate(img * hid);
      rstdF = FloatBuf.allocate(img);
      h = FloatBuf.allocate(rows * hid);
      out = FloatBuf.allocate(img * pd);
      dOut = FloatBuf.allocate(img * pd);
      dh = FloatBuf.allocate(rows * hid);
      dyImg = FloatBuf.allocate(img * hid);
      dx = FloatBuf.allocate(rows * hid);
      dt = FloatBuf.allocate(rows * hid);
      dgl = FloatBuf.allocate(rows * h4);
      dO = FloatBuf.allocate(rows * hid);
      dqkv = FloatBuf.allocate(rows * 3 * hid);
      dp = FloatBuf.allocate((long) seq * seq);
      dmods = FloatBuf.allocate((long) n * 6 * hid);
      dmodsF = FloatBuf.allocate((long) n * 2 * hid);
      dsc = FloatBuf.allocate((long) n * hid);
      ds1 = FloatBuf.allocate((long) n * hid);
    }
  }
}
