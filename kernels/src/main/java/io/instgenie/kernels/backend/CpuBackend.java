package io.instgenie.kernels.backend;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast CPU backend: linear layers on OpenBLAS over off-heap buffers; attention as two OpenBLAS
 * products around a vectorised softmax, or, with {@code -Dinstgenie.attention=fused}, fused on the
 * Vector API ({@link FusedAttention}: online softmax over key blocks, no score matrix) for head
 * sizes it supports (measured here 10-20 % slower per core than OpenBLAS, hence not the default);
 * LayerNorm, GELU, SiLU and gating with the Vector API. All work is split across cores by this
 * class (row ranges, attention by head and query block) and each OpenBLAS call runs
 * single-threaded: attention interleaves small GEMMs with softmax, and OpenBLAS's own threads would
 * idle through the Java parts. Attention scores of the OpenBLAS path live in a per-thread scratch
 * buffer that grows and is reused.
 */
public final class CpuBackend implements Backend {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NO = ByteOrder.nativeOrder();
  private static final float GELU_C = VectorMath.GELU_C;

  /**
   * Most query rows per attention task; a head's rows split into equal blocks of at most this many.
   * A block's two products pack the head's keys once each, so fewer, larger blocks pack less: a
   * masked step's 213 query rows as one block of a head instead of 128 + 85 ran K/V over Y 1.32x
   * against 1.29x (median of 11 alternating runs each, BENCHMARKS.md).
   */
  private static final int QUERY_BLOCK = 256;

  /** Rows per thread below which a linear layer stays one call. */
  private static final int MIN_ROWS = 32;

  /**
   * Rows per thread from which a linear layer splits its rows among the threads; below, it splits
   * its outputs (measured on the bench preset's shapes: row halves win from ~400 rows each).
   */
  private static final int SPLIT_ROWS = 384;

  /**
   * Output columns per slice when a linear layer splits its outputs (a multiple of any SIMD width).
   */
  private static final int COL_ALIGN = 16;

  /** Slices per thread below which a linear layer's outputs stay one call. */
  private static final int MIN_COL_SLICES = 4;

  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
  private final FusedAttention fused = new FusedAttention();
  private final boolean fusedAttention;

  /** Attention fused where the head size allows only with {@code -Dinstgenie.attention=fused}. */
  public CpuBackend() {
    this("fused".equals(System.getProperty("instgenie.attention", "blas")));
  }

  /** With {@code fusedAttention} false, attention always runs as two OpenBLAS products. */
  public CpuBackend(boolean fusedAttention) {
    blas_set_num_threads(1);
    this.fusedAttention = fusedAttention;
  }

  /** Per-thread attention scratch: scores and row sums. */
  private static final class Scratch {
    FloatBuf scores = FloatBuf.allocate(0);
    float[] invSums = new float[0];

    FloatBuf scores(long n) {
      if (scores.size() < n) scores = FloatBuf.allocate(n);
      return scores;
    }

    float[] invSums(int n) {
      if (invSums.length < n) invSums = new float[n];
      return invSums;
    }
  }

  @Override
  public String name() {
    return fusedAttention ? "cpu-openblas-fused-attention" : "cpu-openblas";
  }

  @Override
  public void linear(Rows y, Rows x, Dense w, int m, int n, int k, boolean accumulate) {
    if (m == 0 || n == 0) return;
    FloatBuf bias = w.bias();
    if (bias != null) {
      ByteBuffer yb = y.buf().bytes();
      ByteBuffer bb = bias.bytes();
      for (int i = 0; i < m; i++) {
        addOrSet(yb, y.at(i, 0), bb, w.biasOff(), n, accumulate);
      }
    }
    float beta = (bias != null || accumulate) ? 1f : 0f;
    if (m >= SPLIT_ROWS * Parallel.threads()) {
      Parallel.forRange(m, MIN_ROWS, (from, to) -> sgemm(y, x, w, from, to, 0, n, k, beta));
      return;
    }
    // Few rows: each thread takes every row and a slice of the outputs, which keeps each call's
    // M whole (OpenBLAS runs a 213-row product ~15% faster as two column halves than as two
    // 106-row halves)
    int slices = (n + COL_ALIGN - 1) / COL_ALIGN;
    Parallel.forRange(
        slices,
        MIN_COL_SLICES,
        (from, to) -> sgemm(y, x, w, 0, m, from * COL_ALIGN, Math.min(n, to * COL_ALIGN), k, beta));
  }

  /** Rows [r0, r1) and outputs [j0, j1) of a linear layer: one single-threaded OpenBLAS call. */
  private static void sgemm(
      Rows y, Rows x, Dense w, int r0, int r1, int j0, int j1, int k, float beta) {
    cblas_sgemm(
        CblasRowMajor,
        CblasNoTrans,
        CblasTrans,
        r1 - r0,
        j1 - j0,
        k,
        1f,
        x.buf().pointer(x.at(r0, 0)),
        x.ld(),
        w.weight().pointer(w.weightOff() + (long) j0 * k),
        k,
        beta,
        y.buf().pointer(y.at(r0, j0)),
        y.ld());
  }

  /** dst[0..n) = src[0..n) (or += when {@code add}), element offsets. */
  private static void addOrSet(
      ByteBuffer dst, long dOff, ByteBuffer src, long sOff, int n, boolean add) {
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += L) {
      FloatVector s = FloatVector.fromByteBuffer(S, src, (int) (sOff + i) * 4, NO);
      if (add) s = s.add(FloatVector.fromByteBuffer(S, dst, (int) (dOff + i) * 4, NO));
      s.intoByteBuffer(dst, (int) (dOff + i) * 4, NO);
    }
    for (; i < n; i++) {
      float s = src.getFloat((int) (sOff + i) * 4);
      int at = (int) (dOff + i) * 4;
      dst.putFloat(at, add ? dst.getFloat(at) + s : s);
    }
  }

  @Override
  public void layerNormModulate(Rows y, Rows x, int rows, int h, Modulation mod, float eps) {
    ByteBuffer xb = x.buf().bytes();
    ByteBuffer yb = y.buf().bytes();
    ByteBuffer mb = mod.buf().bytes();
    Parallel.forRange(
        rows,
        64,
        (from, to) -> {
          for (int r = from; r < to; r++) {
            layerNormRow(
                yb,
                (int) y.at(r, 0),
                xb,
                (int) x.at(r, 0),
                h,
                mb,
                (int) mod.shiftOff(),
                (int) mod.scaleOff(),
                eps);
          }
        });
  }

  private static void layerNormRow(
      ByteBuffer yb,
      int yAt,
      ByteBuffer xb,
      int xAt,
      int h,
      ByteBuffer mb,
      int shift,
      int scale,
      float eps) {
    int bound = S.loopBound(h);
    float mean = VectorMath.mean(xb, xAt * 4, h);
    float inv = VectorMath.inverseStd(xb, xAt * 4, h, mean, eps);
    FloatVector m = FloatVector.broadcast(S, mean);
    FloatVector iv = FloatVector.broadcast(S, inv);
    int j = 0;
    for (; j < bound; j += L) {
      FloatVector n = FloatVector.fromByteBuffer(S, xb, (xAt + j) * 4, NO).sub(m).mul(iv);
      FloatVector sc = FloatVector.fromByteBuffer(S, mb, (scale + j) * 4, NO).add(1f);
      FloatVector sh = FloatVector.fromByteBuffer(S, mb, (shift + j) * 4, NO);
      n.fma(sc, sh).intoByteBuffer(yb, (yAt + j) * 4, NO);
    }
    for (; j < h; j++) {
      float n = (xb.getFloat((xAt + j) * 4) - mean) * inv;
      yb.putFloat(
          (yAt + j) * 4, n * (1 + mb.getFloat((scale + j) * 4)) + mb.getFloat((shift + j) * 4));
    }
  }

  @Override
  public void geluTanh(FloatBuf x, long off, long n) {
    ByteBuffer xb = x.bytes();
    int chunk = 4096;
    int chunks = (int) ((n + chunk - 1) / chunk);
    Parallel.forRange(
        chunks,
        4,
        (from, to) -> {
          for (int c = from; c < to; c++) {
            long lo = off + (long) c * chunk;
            long hi = Math.min(off + n, lo + chunk);
            geluSpan(xb, (int) lo, (int) hi);
          }
        });
  }

  private static void geluSpan(ByteBuffer xb, int lo, int hi) {
    int i = lo;
    for (; i + L <= hi; i += L) {
      FloatVector v = FloatVector.fromByteBuffer(S, xb, i * 4, NO);
      v.div(VectorMath.geluDenominator(v)).intoByteBuffer(xb, i * 4, NO);
    }
    for (; i < hi; i++) {
      float v = xb.getFloat(i * 4);
      xb.putFloat(i * 4, (float) (0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v)))));
    }
  }

  @Override
  public void silu(FloatBuf y, long yOff, FloatBuf x, long xOff, long n) {
    for (long i = 0; i < n; i++) {
      float v = x.get(xOff + i);
      y.set(yOff + i, (float) (v / (1 + Math.exp(-v))));
    }
  }

  @Override
  public void gatedAdd(
      FloatBuf x, long xOff, FloatBuf y, long yOff, FloatBuf gate, long gateOff, int rows, int h) {
    ByteBuffer xb = x.bytes();
    ByteBuffer yb = y.bytes();
    ByteBuffer gb = gate.bytes();
    int bound = S.loopBound(h);
    Parallel.forRange(
        rows,
        128,
        (from, to) -> {
          for (int r = from; r < to; r++) {
            int xAt = (int) (xOff + (long) r * h);
            int yAt = (int) (yOff + (long) r * h);
            int j = 0;
            for (; j < bound; j += L) {
              FloatVector g = FloatVector.fromByteBuffer(S, gb, (int) (gateOff + j) * 4, NO);
              FloatVector yv = FloatVector.fromByteBuffer(S, yb, (yAt + j) * 4, NO);
              FloatVector xv = FloatVector.fromByteBuffer(S, xb, (xAt + j) * 4, NO);
              g.fma(yv, xv).intoByteBuffer(xb, (xAt + j) * 4, NO);
            }
            for (; j < h; j++) {
              float v =
                  xb.getFloat((xAt + j) * 4)
                      + gb.getFloat((int) (gateOff + j) * 4) * yb.getFloat((yAt + j) * 4);
              xb.putFloat((xAt + j) * 4, v);
            }
          }
        });
  }

  @Override
  public void attention(Rows out, Rows qkv, Span q, Span kv1, Span kv2, int heads, int d) {
    if (q.count() == 0) return;
    if (fusedAttention && FusedAttention.supports(d)) {
      fused.attention(out, qkv, q, kv1, kv2, heads, d);
      return;
    }
    int n = q.count();
    int blocks = (n + QUERY_BLOCK - 1) / QUERY_BLOCK;
    Parallel.forRange(
        heads * blocks,
        1,
        (from, to) -> {
          for (int task = from; task < to; task++) {
            int e = task / blocks;
            // equal blocks: 1,032 rows as 5 of 206–207, not 4 × 256 + 8
            int r0 = (int) ((long) n * (task % blocks) / blocks);
            int r1 = (int) ((long) n * (task % blocks + 1) / blocks);
            Span block = q.sub(r0, r1 - r0);
            attentionBlock(out.row(r0), qkv, block, kv1, kv2, heads, d, e);
          }
        });
  }

  /** Head e of the {@code q} rows: scores, softmax and the weighted sum of values. */
  private void attentionBlock(
      Rows out, Rows qkv, Span q, Span kv1, Span kv2, int heads, int d, int e) {
    int h = heads * d;
    int nq = q.count();
    int n1 = kv1.count();
    int n2 = kv2.count();
    int nk = n1 + n2;
    int ld = qkv.ld();
    FloatBuf b = qkv.buf();
    Scratch sc = scratch.get();
    FloatBuf p = sc.scores((long) nq * nk);
    float[] inv = sc.invSums(nq);
    float alpha = (float) (1.0 / Math.sqrt(d));
    long qAt = qkv.at(q.start(), (long) e * d);
    long k1 = qkv.at(kv1.start(), h + (long) e * d);
    long k2 = qkv.at(kv2.start(), h + (long) e * d);
    // scores = q·kᵀ/√d, keys of span 1 in columns [0, n1), span 2 in [n1, nk)
    cblas_sgemm(
        CblasRowMajor,
        CblasNoTrans,
        CblasTrans,
        nq,
        n1,
        d,
        alpha,
        b.pointer(qAt),
        ld,
        b.pointer(k1),
        ld,
        0f,
        p.pointer(0),
        nk);
    if (n2 > 0) {
      cblas_sgemm(
          CblasRowMajor,
          CblasNoTrans,
          CblasTrans,
          nq,
          n2,
          d,
          alpha,
          b.pointer(qAt),
          ld,
          b.pointer(k2),
          ld,
          0f,
          p.pointer(n1),
          nk);
    }
    softmaxRows(p, nq, nk, inv);
    // out = exp-scores·v, normalised per row afterwards (d values instead of nk)
    long o = out.at(0, (long) e * d);
    cblas_sgemm(
        CblasRowMajor,
        CblasNoTrans,
        CblasNoTrans,
        nq,
        d,
        n1,
        1f,
        p.pointer(0),
        nk,
        b.pointer(k1 + h),
        ld,
        0f,
        out.buf().pointer(o),
        out.ld());
    if (n2 > 0) {
      cblas_sgemm(
          CblasRowMajor,
          CblasNoTrans,
          CblasNoTrans,
          nq,
          d,
          n2,
          1f,
          p.pointer(n1),
          nk,
          b.pointer(k2 + h),
          ld,
          1f,
          out.buf().pointer(o),
          out.ld());
    }
    scaleRows(out.buf(), o, out.ld(), nq, d, inv);
  }

  /** p[i, :] = exp(p[i, :] − max_i); inv[i] = 1/Σ. */
  private static void softmaxRows(FloatBuf p, int rows, int n, float[] inv) {
    ByteBuffer pb = p.bytes();
    for (int r = 0; r < rows; r++) inv[r] = 1f / VectorMath.expShiftedRow(pb, r * n * 4, n);
  }

  private static void scaleRows(FloatBuf out, long o, int ldo, int rows, int d, float[] inv) {
    ByteBuffer ob = out.bytes();
    int bound = S.loopBound(d);
    for (int r = 0; r < rows; r++) {
      int at = (int) (o + (long) r * ldo);
      int j = 0;
      for (; j < bound; j += L) {
        FloatVector.fromByteBuffer(S, ob, (at + j) * 4, NO)
            .mul(inv[r])
            .intoByteBuffer(ob, (at + j) * 4, NO);
      }
      for (; j < d; j++) ob.putFloat((at + j) * 4, ob.getFloat((at + j) * 4) * inv[r]);
    }
  }
}
