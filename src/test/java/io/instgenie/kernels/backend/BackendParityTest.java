package io.instgenie.kernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.tensor.FloatBuf;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every fast kernel against the reference, at non-zero offsets and strides. */
class BackendParityTest {
  private static final float TOL = 2e-5f;
  private final Backend ref = new ReferenceBackend();
  private final Backend cpu = new CpuBackend();
  private final Random rnd = new Random(42);

  private FloatBuf random(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
    return FloatBuf.of(v);
  }

  private static FloatBuf copy(FloatBuf b) {
    return FloatBuf.of(b.toArray(0, (int) b.size()));
  }

  private static void assertClose(FloatBuf expected, FloatBuf actual, float relTol, String what) {
    for (long i = 0; i < expected.size(); i++) {
      float e = expected.get(i);
      float a = actual.get(i);
      float tol = relTol * Math.max(1f, Math.abs(e));
      if (Math.abs(e - a) > tol) {
        throw new AssertionError(
            what + ": element " + i + " expected " + e + " got " + a + " (tolerance " + tol + ")");
      }
    }
  }

  @Test
  @DisplayName(
      "linear with offsets, strides, bias and accumulate matches the reference: one call, rows"
          + " split among threads, outputs split among threads")
  void linear() {
    // {m, n, k}: small; few rows and many outputs (sliced outputs, a ragged last slice); many rows
    int[][] shapes = {{37, 53, 71}, {37, 203, 71}, {1, 1541, 33}, {800, 53, 71}};
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2], ldx = k + 9, ldy = n + 8;
      FloatBuf x = random(5 + m * ldx);
      FloatBuf w = random(3 + n * k);
      FloatBuf bias = random(7 + n);
      for (boolean acc : new boolean[] {false, true}) {
        for (FloatBuf b : new FloatBuf[] {bias, null}) {
          FloatBuf y1 = random(11 + m * ldy);
          FloatBuf y2 = copy(y1);
          Dense d = new Dense(w, 3, b, 7);
          ref.linear(new Rows(y1, 11, ldy), new Rows(x, 5, ldx), d, m, n, k, acc);
          cpu.linear(new Rows(y2, 11, ldy), new Rows(x, 5, ldx), d, m, n, k, acc);
          String what = "linear " + m + "x" + n + "x" + k + " acc=" + acc + " bias=" + (b != null);
          assertClose(y1, y2, 1e-4f, what);
        }
      }
    }
  }

  @Test
  @DisplayName("LayerNorm with modulation matches the reference, offsets included")
  void layerNorm() {
    int rows = 9, h = 100;
    FloatBuf x = random(13 + rows * h);
    FloatBuf mod = random(300);
    FloatBuf y1 = random(17 + rows * h);
    FloatBuf y2 = copy(y1);
    Modulation shiftScale = new Modulation(mod, 21, 150);
    ref.layerNormModulate(new Rows(y1, 17, h), new Rows(x, 13, h), rows, h, shiftScale, 1e-6f);
    cpu.layerNormModulate(new Rows(y2, 17, h), new Rows(x, 13, h), rows, h, shiftScale, 1e-6f);
    assertClose(y1, y2, TOL, "layerNormModulate");
  }

  @Test
  @DisplayName("GELU (tanh form) matches the reference over a wide range, tail included")
  void gelu() {
    int n = 10_003;
    float[] v = new float[n + 9];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * 4);
    v[20] = 30f;
    v[21] = -30f;
    FloatBuf a = FloatBuf.of(v);
    FloatBuf b = FloatBuf.of(v);
    ref.geluTanh(a, 9, n);
    cpu.geluTanh(b, 9, n);
    assertClose(a, b, TOL, "gelu");
  }

  @Test
  @DisplayName("SiLU and the gated residual match the reference")
  void siluAndGate() {
    FloatBuf x = random(333);
    FloatBuf y1 = random(340);
    FloatBuf y2 = copy(y1);
    ref.silu(y1, 5, x, 3, 330);
    cpu.silu(y2, 5, x, 3, 330);
    assertClose(y1, y2, TOL, "silu");
    int rows = 7, h = 37;
    FloatBuf base = random(4 + rows * h);
    FloatBuf upd = random(6 + rows * h);
    FloatBuf gate = random(50);
    FloatBuf r1 = copy(base);
    FloatBuf r2 = copy(base);
    ref.gatedAdd(r1, 4, upd, 6, gate, 9, rows, h);
    cpu.gatedAdd(r2, 4, upd, 6, gate, 9, rows, h);
    assertClose(r1, r2, TOL, "gatedAdd");
  }

  @Test
  @DisplayName("attention over two key spans, with offset queries, matches the reference")
  void attention() {
    int heads = 3, d = 20, h = heads * d, ld = 3 * h + 4;
    int rows = 90;
    FloatBuf qkv = random(rows * ld);
    int ldo = h + 3;
    for (int[] c :
        new int[][] {{5, 17, 5, 40, 50, 30}, {0, 90, 0, 90, 0, 0}, {61, 7, 2, 30, 60, 29}}) {
      Span q = new Span(c[0], c[1]);
      Span kv1 = new Span(c[2], c[3]);
      Span kv2 = new Span(c[4], c[5]);
      FloatBuf o1 = random((rows + 2) * ldo);
      FloatBuf o2 = copy(o1);
      ref.attention(Rows.of(o1, ldo).row(1), Rows.of(qkv, ld), q, kv1, kv2, heads, d);
      cpu.attention(Rows.of(o2, ldo).row(1), Rows.of(qkv, ld), q, kv1, kv2, heads, d);
      assertClose(o1, o2, 1e-4f, "attention " + java.util.Arrays.toString(c));
    }
    assertEquals("cpu-openblas", cpu.name());
  }

  @Test
  @DisplayName(
      "fused attention (online softmax over key blocks) matches the reference within 1e-4: offsets, strides, two key spans, partial key blocks and query groups")
  void fusedAttention() {
    for (int d : new int[] {32, 64}) {
      if (!FusedAttention.supports(d)) continue; // narrow vectors: d=32 needs 16-lane pairs
      int heads = 3, h = heads * d, ld = 3 * h + 5;
      int rows = 300;
      FloatBuf qkv = random(rows * ld + 7);
      // large scores, so that the running max changes between key blocks
      for (long i = 0; i < qkv.size(); i++) qkv.set(i, qkv.get(i) * 3);
      int ldo = h + 3;
      for (int[] c :
          new int[][] {
            {5, 17, 5, 140, 150, 130},
            {0, 300, 0, 300, 0, 0},
            {261, 7, 2, 30, 160, 139},
            {3, 1, 0, 1, 0, 0}
          }) {
        Span q = new Span(c[0], c[1]);
        Span kv1 = new Span(c[2], c[3]);
        Span kv2 = new Span(c[4], c[5]);
        FloatBuf o1 = random((rows + 2) * ldo);
        FloatBuf o2 = copy(o1);
        ref.attention(Rows.of(o1, ldo).row(1), Rows.of(qkv, ld), q, kv1, kv2, heads, d);
        new FusedAttention()
            .attention(Rows.of(o2, ldo).row(1), Rows.of(qkv, ld), q, kv1, kv2, heads, d);
        assertClose(o1, o2, 1e-4f, "fused attention d=" + d + " " + java.util.Arrays.toString(c));
      }
    }
    assertTrue(FusedAttention.supports(64), "the bench preset's head size (64) runs fused");
  }

  @Test
  @DisplayName("the CPU backend built with fused attention matches the reference")
  void fusedBackendAttention() {
    Backend blas = new CpuBackend(true);
    int heads = 2, d = 64, h = heads * d, ld = 3 * h + 2;
    int rows = 150;
    FloatBuf qkv = random(rows * ld);
    int ldo = h + 1;
    FloatBuf o1 = random((rows + 2) * ldo);
    FloatBuf o2 = copy(o1);
    ref.attention(
        Rows.of(o1, ldo).row(1),
        Rows.of(qkv, ld),
        new Span(10, 40),
        new Span(0, 70),
        new Span(80, 60),
        heads,
        d);
    blas.attention(
        Rows.of(o2, ldo).row(1),
        Rows.of(qkv, ld),
        new Span(10, 40),
        new Span(0, 70),
        new Span(80, 60),
        heads,
        d);
    assertClose(o1, o2, 1e-4f, "fused backend attention");
  }
}
