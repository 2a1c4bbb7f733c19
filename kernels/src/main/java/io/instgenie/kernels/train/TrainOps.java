package io.instgenie.kernels.train;

import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The elementwise pieces of {@link TrainPass}, forward and backward: LayerNorm, adaLN modulation,
 * gated residual sums, GELU and SiLU. Rows are {@code hid} wide; image i owns {@code per}
 * consecutive rows and row i of {@code mods} (stride {@code ms}), whose chunk k is the k-th of its
 * modulation vectors.
 */
final class TrainOps {
  private static final Logger LOG = Logger.getLogger(TrainOps.class.getName());

  /**
   * Whether {@link VectorTrainOps} runs in this JVM; else the scalar forms do. Probed from here:
   * without {@code --add-modules jdk.incubator.vector} that class cannot load, let alone answer.
   */
  static final boolean VECTOR = vectorWorks();

  private TrainOps() {}

  private static boolean vectorWorks() {
    try {
      VectorTrainOps.probe();
      return true;
    } catch (Throwable t) {
      LOG.log(
          Level.WARNING,
          "trainer's vector kernels unavailable ("
              + t
              + "); using the scalar ones. Run java with --add-modules jdk.incubator.vector.");
      return false;
    }
  }

  /** xhat = (x − mean)·rstd per row (LayerNorm without affine, eps of the spec). */
  static void layerNorm(FloatBuf x, FloatBuf xhat, FloatBuf rstd, int rows, int hid) {
    if (VECTOR) VectorTrainOps.layerNorm(x, xhat, rstd, rows, hid);
    else layerNormScalar(x, xhat, rstd, rows, hid);
  }

  /** {@link #layerNorm} in scalar Java (sums in double), the reference of the vector form. */
  static void layerNormScalar(FloatBuf x, FloatBuf xhat, FloatBuf rstd, int rows, int hid) {
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

  /** h = xhat⊙(1 + scale) + shift with image i's (shift, scale) at chunks k, k+1 of {@code m}. */
  static void modulate(FloatBuf h, FloatBuf xhat, Mods m, int k) {
    if (VECTOR) VectorTrainOps.modulate(h, xhat, m, k);
    else modulateScalar(h, xhat, m, k);
  }

  /** {@link #modulate} in scalar Java, the reference of the vector form. */
  static void modulateScalar(FloatBuf h, FloatBuf xhat, Mods m, int k) {
    int hid = m.hid();
    FloatBuffer hf = h.floats();
    FloatBuffer xf = xhat.floats();
    FloatBuffer mf = m.values().floats();
    for (int i = 0; i < m.images(); i++) {
      int shift = m.chunk(i, k);
      int scale = shift + hid;
      for (int r = i * m.rows(); r < (i + 1) * m.rows(); r++) {
        int at = r * hid;
        for (int j = 0; j < hid; j++) {
          hf.put(at + j, xf.get(at + j) * (1 + mf.get(scale + j)) + mf.get(shift + j));
        }
      }
    }
  }

  /**
   * Backward of {@link #modulate} and the LayerNorm before it: accumulates dshift and dscale into
   * {@code m}'s grads and adds dL/dx to {@code dx}.
   */
  static void modulateBackward(
      FloatBuf dh, FloatBuf xhat, FloatBuf rstd, Mods m, int k, FloatBuf dx) {
    if (VECTOR) {
      VectorTrainOps.modulateBackward(dh, xhat, rstd, m, k, dx);
    } else {
      modulateBackwardScalar(dh, xhat, rstd, m, k, dx);
    }
  }

  /**
   * {@link #modulateBackward} in scalar Java (sums in double), the reference of the vector form.
   */
  static void modulateBackwardScalar(
      FloatBuf dh, FloatBuf xhat, FloatBuf rstd, Mods m, int k, FloatBuf dx) {
    int hid = m.hid();
    FloatBuffer dhf = dh.floats();
    FloatBuffer xf = xhat.floats();
    FloatBuffer mf = m.values().floats();
    FloatBuffer dmf = m.grads().floats();
    FloatBuffer dxf = dx.floats();
    double[] dShift = new double[hid];
    double[] dScale = new double[hid];
    float[] dxhat = new float[hid];
    for (int i = 0; i < m.images(); i++) {
      int shift = m.chunk(i, k);
      int scale = shift + hid;
      Arrays.fill(dShift, 0);
      Arrays.fill(dScale, 0);
      for (int r = i * m.rows(); r < (i + 1) * m.rows(); r++) {
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

  /** out = x + gate⊙y with image i's gate at chunk k of {@code m}. */
  static void gatedSum(FloatBuf out, FloatBuf x, FloatBuf y, Mods m, int k) {
    if (VECTOR) VectorTrainOps.gatedSum(out, x, y, m, k);
    else gatedSumScalar(out, x, y, m, k);
  }

  /** {@link #gatedSum} in scalar Java, the reference of the vector form. */
  static void gatedSumScalar(FloatBuf out, FloatBuf x, FloatBuf y, Mods m, int k) {
    int hid = m.hid();
    FloatBuffer of = out.floats();
    FloatBuffer xf = x.floats();
    FloatBuffer yf = y.floats();
    FloatBuffer mf = m.values().floats();
    for (int i = 0; i < m.images(); i++) {
      int gate = m.chunk(i, k);
      for (int r = i * m.rows(); r < (i + 1) * m.rows(); r++) {
        int at = r * hid;
        for (int j = 0; j < hid; j++)
          of.put(at + j, xf.get(at + j) + mf.get(gate + j) * yf.get(at + j));
      }
    }
  }

  /** Backward of {@link #gatedSum} for y and the gate: dgate += Σ dOut⊙y, dy = dOut⊙gate. */
  static void gateBackward(FloatBuf dOut, FloatBuf y, Mods m, int k, FloatBuf dy) {
    if (VECTOR) VectorTrainOps.gateBackward(dOut, y, m, k, dy);
    else gateBackwardScalar(dOut, y, m, k, dy);
  }

  /** {@link #gateBackward} in scalar Java (sums in double), the reference of the vector form. */
  static void gateBackwardScalar(FloatBuf dOut, FloatBuf y, Mods m, int k, FloatBuf dy) {
    int hid = m.hid();
    FloatBuffer df = dOut.floats();
    FloatBuffer yf = y.floats();
    FloatBuffer mf = m.values().floats();
    FloatBuffer dmf = m.grads().floats();
    FloatBuffer dyf = dy.floats();
    double[] dGate = new double[hid];
    for (int i = 0; i < m.images(); i++) {
      int gate = m.chunk(i, k);
      Arrays.fill(dGate, 0);
      for (int r = i * m.rows(); r < (i + 1) * m.rows(); r++) {
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
  static void gelu(FloatBuf y, FloatBuf th, FloatBuf x, int count) {
    if (VECTOR) {
      VectorTrainOps.gelu(y, th, x, count);
      return;
    }
    geluScalar(y, th, x, count);
  }

  /** {@link #gelu} in scalar Java (double precision), the reference of the vector form. */
  static void geluScalar(FloatBuf y, FloatBuf th, FloatBuf x, int count) {
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
  static void geluBackward(FloatBuf dy, FloatBuf x, FloatBuf th, int count) {
    if (VECTOR) {
      VectorTrainOps.geluBackward(dy, x, th, count);
      return;
    }
    geluBackwardScalar(dy, x, th, count);
  }

  /** {@link #geluBackward} in scalar Java, the reference of the vector form. */
  static void geluBackwardScalar(FloatBuf dy, FloatBuf x, FloatBuf th, int count) {
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

  /** p ← softmax(p) on each of {@code rows} rows of n values from element {@code at}. */
  static void softmaxRows(FloatBuf p, long at, int rows, int n) {
    if (VECTOR) VectorTrainOps.softmaxRows(p, at, rows, n);
    else softmaxRowsScalar(p, at, rows, n);
  }

  /** {@link #softmaxRows} in scalar Java (the sum in double), the reference of the vector form. */
  static void softmaxRowsScalar(FloatBuf p, long at, int rows, int n) {
    FloatBuffer pf = p.floats();
    for (int r = 0; r < rows; r++) {
      int o = (int) (at + (long) r * n);
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) max = Math.max(max, pf.get(o + j));
      double sum = 0;
      for (int j = 0; j < n; j++) {
        float v = (float) Math.exp(pf.get(o + j) - max);
        pf.put(o + j, v);
        sum += v;
      }
      float inv = (float) (1 / sum);
      for (int j = 0; j < n; j++) pf.put(o + j, pf.get(o + j) * inv);
    }
  }

  /** dp ← p⊙(dp − Σ_j dp_j·p_j) on each of {@code rows} rows of n values (p from pAt, dp dAt). */
  static void softmaxBackward(FloatBuf p, long pAt, FloatBuf dp, long dAt, int rows, int n) {
    if (VECTOR) VectorTrainOps.softmaxBackward(p, pAt, dp, dAt, rows, n);
    else softmaxBackwardScalar(p, pAt, dp, dAt, rows, n);
  }

  /** {@link #softmaxBackward} in scalar Java, the reference of the vector form. */
  static void softmaxBackwardScalar(FloatBuf p, long pAt, FloatBuf dp, long dAt, int rows, int n) {
    FloatBuffer pf = p.floats();
    FloatBuffer df = dp.floats();
    for (int r = 0; r < rows; r++) {
      int po = (int) (pAt + (long) r * n);
      int dOff = (int) (dAt + (long) r * n);
      double dot = 0;
      for (int j = 0; j < n; j++) dot += (double) df.get(dOff + j) * pf.get(po + j);
      float fd = (float) dot;
      for (int j = 0; j < n; j++) df.put(dOff + j, pf.get(po + j) * (df.get(dOff + j) - fd));
    }
  }

  /** y = SiLU(x) = x·σ(x). */
  static void silu(FloatBuf y, FloatBuf x, int count) {
    for (int i = 0; i < count; i++) {
      double v = x.get(i);
      y.set(i, (float) (v / (1 + Math.exp(-v))));
    }
  }

  /** dy ← dy·SiLU'(x), SiLU'(x) = σ(x)(1 + x(1 − σ(x))). */
  static void siluBackward(FloatBuf dy, FloatBuf x, int count) {
    for (int i = 0; i < count; i++) {
      double v = x.get(i);
      double s = 1 / (1 + Math.exp(-v));
      dy.set(i, (float) (dy.get(i) * s * (1 + v * (1 - s))));
    }
  }
}
