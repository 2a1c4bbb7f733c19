package io.instgenie.kernels.train;

import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.tensor.FloatBuf;

/**
 * Every buffer of a {@link TrainPass} over up to n images: the activations the forward pass keeps
 * for the backward pass, and the activation gradients the backward pass reuses block to block.
 */
final class TrainActivations {
  /** One block's saved activations. */
  static final class Block {
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

    Block(ModelConfig c, int n) {
      int hid = c.hiddenSize();
      int seq = c.sequenceLength();
      int h4 = c.mlpRatio() * hid;
      int heads = c.numHeads();
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

  /** The most images these buffers hold. */
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
  final Block[] blk;
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

  TrainActivations(ModelConfig c, int n) {
    int hid = c.hiddenSize();
    int seq = c.sequenceLength();
    int tokens = c.imageTokens();
    int pd = c.patchDim();
    int h4 = c.mlpRatio() * hid;
    int depth = c.depth();
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
    blk = new Block[depth];
    for (int b = 0; b < depth; b++) blk[b] = new Block(c, n);
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
