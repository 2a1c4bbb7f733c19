package io.instgenie.kernels.backend;

import io.instgenie.kernels.cuda.CudaProbe;
import io.instgenie.kernels.cuda.GemmPrecision;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA kernel behind the Backend seam against the reference, at non-zero offsets and strides.
 * Tolerances: FP32 GEMM and every other kernel 1e-4 relative (max(1, |expected|)); the tensor-core
 * GEMMs |Δ| ≤ 2u·Σ|x·w| + 1e-5 per element, u = 2⁻⁸ (BF16) or 2⁻¹¹ (TF32), the bound of rounding
 * both inputs once. Skipped without a device.
 */
class CudaKernelParityTest {
  private static final float TOL = 1e-4f;
  private final Backend ref = new ReferenceBackend();
  private final Random rnd = new Random(42);

  @BeforeEach
  void device() {
    Assumptions.assumeTrue(CudaProbe.get().available(), CudaProbe.get() + " (GPU tests skipped)");
  }

  private static CudaBackend cuda(GemmPrecision p) {
    return CudaBackend.open(p);
  }

  private FloatBuf random(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
    return FloatBuf.of(v);
  }

  private static FloatBuf copy(FloatBuf b) {
    return FloatBuf.of(b.toArray(0, (int) b.size()));
  }

  private static FloatBuf abs(FloatBuf b) {
    float[] v = b.toArray(0, (int) b.size());
    for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i]);
    return FloatBuf.of(v);
  }

  /** Reads the device result back, then compares within max(1, |e|)·relTol or bound[i]. */
  private static void assertClose(
      FloatBuf expected, Backend be, FloatBuf actual, float relTol, FloatBuf bound, String what) {
    be.hostReads(actual, 0, actual.size());
    for (long i = 0; i < expected.size(); i++) {
      float e = expected.get(i);
      float a = actual.get(i);
      float tol = bound != null ? bound.get(i) : relTol * Math.max(1f, Math.abs(e));
      if (!(Math.abs(e - a) <= tol)) {
        throw new AssertionError(
            what + ": element " + i + " expected " + e + " got " + a + " (tolerance " + tol + ")");
      }
    }
  }

  @Test
  @DisplayName("linear in FP32, TF32 and BF16 matches the reference within each precision's bound")
  void linear() {
    // edge tiles on every side: m, n not multiples of 64, k not a multiple of 32
    int m = 137, n = 83, k = 171, ldx = 180, ldy = 91;
    FloatBuf x = random(5 + m * ldx);
    FloatBuf w = random(3 + n * k);
    FloatBuf bias = random(7 + n);
    for (GemmPrecision p : GemmPrecision.values()) {
      CudaBackend be = cuda(p);
      double u = p == GemmPrecision.BF16 ? 1.0 / 256 : p == GemmPrecision.TF32 ? 1.0 / 2048 : 0;
      for (boolean acc : new boolean[] {false, true}) {
        for (FloatBuf b : new FloatBuf[] {bias, null}) {
          FloatBuf y1 = random(11 + m * ldy);
          FloatBuf y2 = copy(y1);
          ref.linear(
              new Rows(y1, 11, ldy), new Rows(x, 5, ldx), new Dense(w, 3, b, 7), m, n, k, acc);
          be.linear(
              new Rows(y2, 11, ldy), new Rows(x, 5, ldx), new Dense(w, 3, b, 7), m, n, k, acc);
          FloatBuf bound = null;
          if (u > 0) {
            bound = FloatBuf.allocate(y1.size());
            ref.linear(
                new Rows(bound, 11, ldy),
                new Rows(abs(x), 5, ldx),
                new Dense(abs(w), 3, null, 0),
                m,
                n,
                k,
                false);
            for (long i = 0; i < bound.size(); i++) {
              bound.set(i, (float) (2 * u * bound.get(i) + 1e-5 + 1e-6 * Math.abs(y1.get(i))));
            }
          }
          assertClose(
              y1, be, y2, 1e-4f, bound, "linear " + p + " acc=" + acc + " bias=" + (b != null));
        }
      }
    }
  }

  @Test
  @DisplayName("LayerNorm with modulation matches the reference, offsets included")
  void layerNorm() {
    CudaBackend be = cuda(GemmPrecision.FP32);
    for (int h : new int[] {100, 256, 1152}) {
      int rows = 9;
      FloatBuf x = random(13 + rows * h);
      FloatBuf mod = random(21 + 3 * h);
      FloatBuf y1 = random(17 + rows * h);
      FloatBuf y2 = copy(y1);
      Modulation shiftScale = new Modulation(mod, 21, 21 + h);
      ref.layerNormModulate(new Rows(y1, 17, h), new Rows(x, 13, h), rows, h, shiftScale, 1e-6f);
      be.layerNormModulate(new Rows(y2, 17, h), new Rows(x, 13, h), rows, h, shiftScale, 1e-6f);
      assertClose(y1, be, y2, TOL, null, "layerNormModulate h=" + h);
    }
  }

  @Test
  @DisplayName("GELU (tanh form), SiLU and the gated residual match the reference")
  void elementwise() {
    CudaBackend be = cuda(GemmPrecision.FP32);
    int n = 10_003;
    float[] v = new float[n + 9];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * 4);
    v[20] = 30f;
    v[21] = -30f;
    FloatBuf a = FloatBuf.of(v);
    FloatBuf b = FloatBuf.of(v);
    ref.geluTanh(a, 9, n);
    be.geluTanh(b, 9, n);
    assertClose(a, be, b, TOL, null, "gelu");
    FloatBuf x = random(333);
    FloatBuf y1 = random(340);
    FloatBuf y2 = copy(y1);
    ref.silu(y1, 5, x, 3, 330);
    be.silu(y2, 5, x, 3, 330);
    assertClose(y1, be, y2, TOL, null, "silu");
    int rows = 7, h = 37;
    FloatBuf base = random(4 + rows * h);
    FloatBuf upd = random(6 + rows * h);
    FloatBuf gate = random(50);
    FloatBuf r1 = copy(base);
    FloatBuf r2 = copy(base);
    ref.gatedAdd(r1, 4, upd, 6, gate, 9, rows, h);
    be.gatedAdd(r2, 4, upd, 6, gate, 9, rows, h);
    assertClose(r1, be, r2, TOL, null, "gatedAdd");
  }

  @Test
  @DisplayName("masked-query attention over two key spans, offset queries, d from 16 to 128")
  void attention() {
    CudaBackend be = cuda(GemmPrecision.FP32);
    for (int[] hd : new int[][] {{3, 20}, {4, 64}, {2, 128}, {5, 16}}) {
      int heads = hd[0], d = hd[1], h = heads * d, ld = 3 * h + 4;
      int rows = 190;
      FloatBuf qkv = random(rows * ld);
      int ldo = h + 3;
      for (int[] c :
          new int[][] {
            {5, 17, 5, 40, 50, 30},
            {0, 190, 0, 190, 0, 0},
            {61, 7, 2, 30, 60, 129},
            {3, 1, 3, 1, 0, 0}
          }) {
        Span q = new Span(c[0], c[1]);
        Span kv1 = new Span(c[2], c[3]);
        Span kv2 = new Span(c[4], c[5]);
        FloatBuf o1 = random((rows + 2) * ldo);
        FloatBuf o2 = copy(o1);
        ref.attention(Rows.of(o1, ldo).row(1), Rows.of(qkv, ld), q, kv1, kv2, heads, d);
        be.attention(Rows.of(o2, ldo).row(1), Rows.of(qkv, ld), q, kv1, kv2, heads, d);
        assertClose(o1, be, o2, TOL, null, "attention d=" + d + " " + Arrays.toString(c));
      }
    }
  }

  @Test
  @DisplayName("results stay on the device until read, and host writes are seen once announced")
  void hostAccessContract() {
    CudaBackend be = cuda(GemmPrecision.FP32);
    FloatBuf x = FloatBuf.of(new float[] {1, 2, 3, 4});
    be.geluTanh(x, 0, 4);
    x.set(0, 100f); // host write not announced: the device copy is authoritative
    be.hostReads(x, 0, 4);
    FloatBuf expected = FloatBuf.of(new float[] {1, 2, 3, 4});
    ref.geluTanh(expected, 0, 4);
    assertClose(expected, be, x, TOL, null, "device copy authoritative");
    x.set(0, -1f);
    be.hostWrote(x, 0, 1);
    be.silu(x, 0, x, 0, 1);
    be.hostReads(x, 0, 1);
    assertClose(
        FloatBuf.of(new float[] {(float) (-1 / (1 + Math.exp(1)))}),
        be,
        FloatBuf.of(new float[] {x.get(0)}),
        TOL,
        null,
        "announced write");
  }
}
