package io.instgenie.kernels.train;

import io.instgenie.kernels.backend.VectorMath;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The trainer's elementwise pieces on the Vector API: GELU and its derivative, the attention
 * softmax and its backward, LayerNorm with modulation, gated sums, and bias gradients (column
 * sums), forward and backward. Same contracts as the scalar forms in {@link TrainOps} and {@link
 * Blas}, within float rounding (exp to 3e-7 relative); used when {@link TrainOps#VECTOR} says this
 * JVM has {@code jdk.incubator.vector} (without it this class does not load).
 */
final class VectorTrainOps {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NO = ByteOrder.nativeOrder();
  private static final float GELU_K = VectorMath.GELU_C;
  private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

  private VectorTrainOps() {}

  /** Runs one kernel, vector body and tail; throws when the Vector API does not work here. */
  static void probe() {
    FloatBuf x = FloatBuf.allocate(2L * L + 1);
    gelu(FloatBuf.allocate(x.size()), FloatBuf.allocate(x.size()), x, (int) x.size());
  }

  /**
   * y = GELU(x) (tanh form) and th = tanh(√(2/π)(x + 0.044715x³)), count values from 0: with s =
   * σ(2z) = 0.5(1 + tanh z), th = 2s − 1 and y = x·s.
   */
  static void gelu(FloatBuf y, FloatBuf th, FloatBuf x, int count) {
    ByteBuffer yb = y.bytes();
    ByteBuffer tb = th.bytes();
    ByteBuffer xb = x.bytes();
    int i = 0;
    for (int bound = S.loopBound(count); i < bound; i += L) {
      FloatVector v = FloatVector.fromByteBuffer(S, xb, i * 4, NO);
      FloatVector s = ONE.div(VectorMath.geluDenominator(v));
      s.mul(2f).sub(1f).intoByteBuffer(tb, i * 4, NO);
      v.mul(s).intoByteBuffer(yb, i * 4, NO);
    }
    for (; i < count; i++) {
      float v = xb.getFloat(i * 4);
      float s = (float) (1 / (1 + Math.exp(-2 * GELU_K * (v + 0.044715 * v * v * v))));
      tb.putFloat(i * 4, 2 * s - 1);
      yb.putFloat(i * 4, v * s);
    }
  }

  /** dx = dy·(0.5(1 + th) + 0.5x(1 − th²)·√(2/π)(1 + 3·0.044715x²)), in place in dy. */
  static void geluBackward(FloatBuf dy, FloatBuf x, FloatBuf th, int count) {
    ByteBuffer db = dy.bytes();
    ByteBuffer xb = x.bytes();
    ByteBuffer tb = th.bytes();
    int i = 0;
    for (int bound = S.loopBound(count); i < bound; i += L) {
      FloatVector v = FloatVector.fromByteBuffer(S, xb, i * 4, NO);
      FloatVector t = FloatVector.fromByteBuffer(S, tb, i * 4, NO);
      FloatVector inner = v.mul(v).mul(0.134145f).add(1f).mul(GELU_K);
      FloatVector d = ONE.sub(t.mul(t)).mul(v).mul(0.5f).mul(inner).add(t.add(1f).mul(0.5f));
      FloatVector.fromByteBuffer(S, db, i * 4, NO).mul(d).intoByteBuffer(db, i * 4, NO);
    }
    for (; i < count; i++) {
      float v = xb.getFloat(i * 4);
      float t = tb.getFloat(i * 4);
      float d = 0.5f * (1 + t) + 0.5f * v * (1 - t * t) * GELU_K * (1 + 0.134145f * v * v);
      db.putFloat(i * 4, db.getFloat(i * 4) * d);
    }
  }

  /** Each of {@code rows} rows of n values from element {@code at}: p ← softmax(p). */
  static void softmaxRows(FloatBuf p, long at, int rows, int n) {
    ByteBuffer pb = p.bytes();
    int bound = S.loopBound(n);
    for (int r = 0; r < rows; r++) {
      int o = (int) (at + (long) r * n) * 4;
      float inv = 1f / VectorMath.expShiftedRow(pb, o, n);
      int j = 0;
      for (; j < bound; j += L) {
        FloatVector.fromByteBuffer(S, pb, o + j * 4, NO).mul(inv).intoByteBuffer(pb, o + j * 4, NO);
      }
      for (; j < n; j++) pb.putFloat(o + j * 4, pb.getFloat(o + j * 4) * inv);
    }
  }

  /**
   * The softmax's backward for {@code rows} rows of n values: dp ← p⊙(dp − Σ_j dp_j·p_j), with p
   * from element {@code pAt} and dp from {@code dAt}.
   */
  static void softmaxBackward(FloatBuf p, long pAt, FloatBuf dp, long dAt, int rows, int n) {
    ByteBuffer pb = p.bytes();
    ByteBuffer db = dp.bytes();
    int bound = S.loopBound(n);
    for (int r = 0; r < rows; r++) {
      int po = (int) (pAt + (long) r * n) * 4;
      int dOff = (int) (dAt + (long) r * n) * 4;
      FloatVector acc = FloatVector.zero(S);
      int j = 0;
      for (; j < bound; j += L) {
        acc =
            FloatVector.fromByteBuffer(S, db, dOff + j * 4, NO)
                .fma(FloatVector.fromByteBuffer(S, pb, po + j * 4, NO), acc);
      }
      float dot = acc.reduceLanes(VectorOperators.ADD);
      for (; j < n; j++) dot += db.getFloat(dOff + j * 4) * pb.getFloat(po + j * 4);
      for (j = 0; j < bound; j += L) {
        FloatVector pv = FloatVector.fromByteBuffer(S, pb, po + j * 4, NO);
        FloatVector.fromByteBuffer(S, db, dOff + j * 4, NO)
            .sub(dot)
            .mul(pv)
            .intoByteBuffer(db, dOff + j * 4, NO);
      }
      for (; j < n; j++) {
        db.putFloat(dOff + j * 4, pb.getFloat(po + j * 4) * (db.getFloat(dOff + j * 4) - dot));
      }
    }
  }

  /** xhat = (x − mean)·rstd per row of hid values, rstd = 1/√(var + eps) kept per row. */
  static void layerNorm(FloatBuf x, FloatBuf xhat, FloatBuf rstd, int rows, int hid) {
    ByteBuffer xb = x.bytes();
    ByteBuffer hb = xhat.bytes();
    int bound = S.loopBound(hid);
    for (int r = 0; r < rows; r++) {
      int o = r * hid * 4;
      float mean = VectorMath.mean(xb, o, hid);
      float inv = VectorMath.inverseStd(xb, o, hid, mean, ModelConfig.LN_EPS);
      rstd.set(r, inv);
      int j = 0;
      for (; j < bound; j += L) {
        FloatVector.fromByteBuffer(S, xb, o + j * 4, NO)
            .sub(mean)
            .mul(inv)
            .intoByteBuffer(hb, o + j * 4, NO);
      }
      for (; j < hid; j++) hb.putFloat(o + j * 4, (xb.getFloat(o + j * 4) - mean) * inv);
    }
  }

  /**
   * h = xhat⊙(1 + scale) + shift on image i's rows, (shift, scale) the chunks k, k+1 of {@code m}.
   */
  static void modulate(FloatBuf h, FloatBuf xhat, Mods m, int k) {
    int hid = m.hid();
    ByteBuffer hb = h.bytes();
    ByteBuffer xb = xhat.bytes();
    ByteBuffer mb = m.values().bytes();
    int bound = S.loopBound(hid);
    for (int i = 0; i < m.images(); i++) {
      int shift = m.chunk(i, k) * 4;
      int scale = shift + hid * 4;
      for (int r = i * m.rows(); r < (i + 1) * m.rows(); r++) {
        int o = r * hid * 4;
        int j = 0;
        for (; j < bound; j += L) {
          FloatVector sc = FloatVector.fromByteBuffer(S, mb, scale + j * 4, NO).add(1f);
          FloatVector sh = FloatVector.fromByteBuffer(S, mb, shift + j * 4, NO);
          FloatVector.fromByteBuffer(S, xb, o + j * 4, NO)
              .fma(sc, sh)
              .intoByteBuffer(hb, o + j * 4, NO);
        }
        for (; j < hid; j++) {
          float v =
              xb.getFloat(o + j * 4) * (1 + mb.getFloat(scale + j * 4))
                  + mb.getFloat(shift + j * 4);
          hb.putFloat(o + j * 4, v);
        }
      }
    }
  }

  /**
   * The backward of LayerNorm and modulation together: m's grads (shift, scale) += per-image sums,
   * dx += rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat⊙xhat)) with dxhat = dh⊙(1 + scale).
   */
  static void modulateBackward(
      FloatBuf dh, FloatBuf xhat, FloatBuf rstd, Mods m, int k, FloatBuf dx) {
    int hid = m.hid();
    ByteBuffer db = dh.bytes();
    ByteBuffer xb = xhat.bytes();
    ByteBuffer mb = m.values().bytes();
    ByteBuffer dmb = m.grads().bytes();
    ByteBuffer dxb = dx.bytes();
    int bound = S.loopBound(hid);
    float[] dShift = new float[hid];
    float[] dScale = new float[hid];
    float[] dxhat = new float[hid];
    for (int i = 0; i < m.images(); i++) {
      int shift = m.chunk(i, k) * 4;
      int scale = shift + hid * 4;
      Arrays.fill(dShift, 0);
      Arrays.fill(dScale, 0);
      for (int r = i * m.rows(); r < (i + 1) * m.rows(); r++) {
        int o = r * hid * 4;
        FloatVector a1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S);
        int j = 0;
        for (; j < bound; j += L) {
          FloatVector d = FloatVector.fromByteBuffer(S, db, o + j * 4, NO);
          FloatVector xh = FloatVector.fromByteBuffer(S, xb, o + j * 4, NO);
          FloatVector.fromArray(S, dShift, j).add(d).intoArray(dShift, j);
          d.fma(xh, FloatVector.fromArray(S, dScale, j)).intoArray(dScale, j);
          FloatVector dxh = FloatVector.fromByteBuffer(S, mb, scale + j * 4, NO).add(1f).mul(d);
          dxh.intoArray(dxhat, j);
          a1 = a1.add(dxh);
          a2 = dxh.fma(xh, a2);
        }
        float m1 = a1.reduceLanes(VectorOperators.ADD);
        float m2 = a2.reduceLanes(VectorOperators.ADD);
        for (; j < hid; j++) {
          float d = db.getFloat(o + j * 4);
          float xh = xb.getFloat(o + j * 4);
          dShift[j] += d;
          dScale[j] += d * xh;
          float dxh = d * (1 + mb.getFloat(scale + j * 4));
          dxhat[j] = dxh;
          m1 += dxh;
          m2 += dxh * xh;
        }
        float mean1 = m1 / hid;
        float mean2 = m2 / hid;
        float inv = rstd.get(r);
        for (j = 0; j < bound; j += L) {
          FloatVector xh = FloatVector.fromByteBuffer(S, xb, o + j * 4, NO);
          FloatVector v = FloatVector.fromArray(S, dxhat, j).sub(mean1).sub(xh.mul(mean2)).mul(inv);
          FloatVector.fromByteBuffer(S, dxb, o + j * 4, NO)
              .add(v)
              .intoByteBuffer(dxb, o + j * 4, NO);
        }
        for (; j < hid; j++) {
          float v = inv * (dxhat[j] - mean1 - xb.getFloat(o + j * 4) * mean2);
          dxb.putFloat(o + j * 4, dxb.getFloat(o + j * 4) + v);
        }
      }
      for (int j = 0; j < hid; j++) {
        dmb.putFloat(shift + j * 4, dmb.getFloat(shift + j * 4) + dShift[j]);
        dmb.putFloat(scale + j * 4, dmb.getFloat(scale + j * 4) + dScale[j]);
      }
    }
  }

  /** out = x + gate⊙y on image i's rows, the gate chunk k of {@code m}. */
  static void gatedSum(FloatBuf out, FloatBuf x, FloatBuf y, Mods m, int k) {
    int hid = m.hid();
    ByteBuffer ob = out.bytes();
    ByteBuffer xb = x.bytes();
    ByteBuffer yb = y.bytes();
    ByteBuffer mb = m.values().bytes();
    int bound = S.loopBound(hid);
    for (int i = 0; i < m.images(); i++) {
      int gate = m.chunk(i, k) * 4;
      for (int r = i * m.rows(); r < (i + 1) * m.rows(); r++) {
        int o = r * hid * 4;
        int j = 0;
        for (; j < bound; j += L) {
          FloatVector.fromByteBuffer(S, mb, gate + j * 4, NO)
              .fma(
                  FloatVector.fromByteBuffer(S, yb, o + j * 4, NO),
                  FloatVector.fromByteBuffer(S, xb, o + j * 4, NO))
              .intoByteBuffer(ob, o + j * 4, NO);
        }
        for (; j < hid; j++) {
          float v = xb.getFloat(o + j * 4) + mb.getFloat(gate + j * 4) * yb.getFloat(o + j * 4);
          ob.putFloat(o + j * 4, v);
        }
      }
    }
  }

  /** m's grads (gate) += Σ_rows dOut⊙y per image; dy = dOut⊙gate. */
  static void gateBackward(FloatBuf dOut, FloatBuf y, Mods m, int k, FloatBuf dy) {
    int hid = m.hid();
    ByteBuffer db = dOut.bytes();
    ByteBuffer yb = y.bytes();
    ByteBuffer mb = m.values().bytes();
    ByteBuffer dmb = m.grads().bytes();
    ByteBuffer dyb = dy.bytes();
    int bound = S.loopBound(hid);
    float[] dGate = new float[hid];
    for (int i = 0; i < m.images(); i++) {
      int gate = m.chunk(i, k) * 4;
      Arrays.fill(dGate, 0);
      for (int r = i * m.rows(); r < (i + 1) * m.rows(); r++) {
        int o = r * hid * 4;
        int j = 0;
        for (; j < bound; j += L) {
          FloatVector d = FloatVector.fromByteBuffer(S, db, o + j * 4, NO);
          d.fma(
                  FloatVector.fromByteBuffer(S, yb, o + j * 4, NO),
                  FloatVector.fromArray(S, dGate, j))
              .intoArray(dGate, j);
          d.mul(FloatVector.fromByteBuffer(S, mb, gate + j * 4, NO))
              .intoByteBuffer(dyb, o + j * 4, NO);
        }
        for (; j < hid; j++) {
          float d = db.getFloat(o + j * 4);
          dGate[j] += d * yb.getFloat(o + j * 4);
          dyb.putFloat(o + j * 4, d * mb.getFloat(gate + j * 4));
        }
      }
      for (int j = 0; j < hid; j++)
        dmb.putFloat(gate + j * 4, dmb.getFloat(gate + j * 4) + dGate[j]);
    }
  }

  /**
   * acc[j] += Σ_r x[r, j] (a bias's gradient): float partial sums over blocks of {@link #SUM_BLOCK}
   * rows, added up in double, so that thousands of rows lose no more than the scalar form.
   */
  static void columnSums(FloatBuf x, int rows, int cols, FloatBuf acc) {
    ByteBuffer xb = x.bytes();
    int bound = S.loopBound(cols);
    double[] total = new double[cols];
    float[] part = new float[cols];
    for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
      Arrays.fill(part, 0);
      for (int r = r0; r < Math.min(rows, r0 + SUM_BLOCK); r++) {
        int o = r * cols * 4;
        int j = 0;
        for (; j < bound; j += L) {
          FloatVector.fromArray(S, part, j)
              .add(FloatVector.fromByteBuffer(S, xb, o + j * 4, NO))
              .intoArray(part, j);
        }
        for (; j < cols; j++) part[j] += xb.getFloat(o + j * 4);
      }
      for (int j = 0; j < cols; j++) total[j] += part[j];
    }
    for (int j = 0; j < cols; j++) acc.set(j, acc.get(j) + (float) total[j]);
  }

  /** Rows per float partial sum in {@link #columnSums}. */
  private static final int SUM_BLOCK = 64;
}
