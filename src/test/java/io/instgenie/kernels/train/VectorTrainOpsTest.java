package io.instgenie.kernels.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.ChildJvm;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's Vector API kernels against their scalar references, on lengths that leave a tail
 * after the last full vector, at offsets, and on values far out in GELU's and exp's tails.
 */
class VectorTrainOpsTest {
  private static final float TOL = 2e-6f;

  private static FloatBuf random(Random rnd, int n, double scale) {
    FloatBuf b = FloatBuf.allocate(n);
    for (int i = 0; i < n; i++) b.set(i, (float) (rnd.nextGaussian() * scale));
    return b;
  }

  private static FloatBuf copy(FloatBuf b) {
    FloatBuf c = FloatBuf.allocate(b.size());
    c.copyFrom(b, 0, 0, b.size());
    return c;
  }

  private static void assertClose(FloatBuf want, FloatBuf got, long n, String what) {
    for (long i = 0; i < n; i++) {
      float w = want.get(i);
      float g = got.get(i);
      assertTrue(
          Math.abs(w - g) <= TOL * Math.max(1, Math.abs(w)),
          what + "[" + i + "]: scalar " + w + ", vector " + g);
    }
  }

  /**
   * Chunk k of each image's mods row, a sum over its {@code per} rows of a⊙b (b null: of a) that
   * the vector form adds in float: within per·ε of the sum of the terms' magnitudes (it may
   * cancel).
   */
  private static void assertSumsClose(
      FloatBuf want,
      FloatBuf got,
      int n,
      int ms,
      int k,
      int per,
      int hid,
      FloatBuf a,
      FloatBuf b,
      String what) {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < hid; j++) {
        double abs = 0;
        for (int r = i * per; r < (i + 1) * per; r++) {
          long at = (long) r * hid + j;
          abs += Math.abs(a.get(at) * (b == null ? 1 : b.get(at)));
        }
        long at = (long) i * ms + (long) k * hid + j;
        assertEquals(want.get(at), got.get(at), 1e-6 + per * 6e-8 * abs, what + "[" + at + "]");
      }
    }
  }

  /** Outside chunks k0..k1 of each mods row, both forms leave what was there. */
  private static void assertOthersUntouched(
      FloatBuf want, FloatBuf got, int n, int ms, int hid, int k0, int k1, String what) {
    for (long at = 0; at < (long) n * ms; at++) {
      long chunk = at % ms / hid;
      if (chunk < k0 || chunk > k1) assertEquals(want.get(at), got.get(at), what + "[" + at + "]");
    }
  }

  @Test
  @DisplayName("the trainer runs its vector kernels in the test JVM (it has the incubator module)")
  void available() {
    assertTrue(TrainOps.VECTOR);
  }

  @Test
  @DisplayName(
      "without --add-modules jdk.incubator.vector the trainer's kernels fall back to the scalar"
          + " forms instead of failing to load")
  void scalarWithoutTheModule(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("child.log");
    String out = ChildJvm.runWithoutVectorModule(WithoutTheModule.class, log);
    assertTrue(out.contains("vector=false ok"), out);
  }

  /** Runs each dispatching kernel once in a JVM without the incubator module. */
  static final class WithoutTheModule {
    public static void main(String[] args) {
      int n = 37;
      FloatBuf x = FloatBuf.allocate(n), y = FloatBuf.allocate(n), th = FloatBuf.allocate(n);
      TrainOps.gelu(y, th, x, n);
      TrainOps.geluBackward(y, x, th, n);
      TrainOps.softmaxRows(x, 0, 1, n);
      TrainOps.softmaxBackward(x, 0, y, 0, 1, n);
      TrainOps.layerNorm(x, y, th, 1, n);
      Blas.columnSums(x, 1, n, y);
      if (Math.abs(x.get(0) - 1f / n) > 1e-6) throw new AssertionError("softmax " + x.get(0));
      System.out.println("vector=" + TrainOps.VECTOR + " ok");
    }
  }

  @Test
  @DisplayName(
      "GELU and its backward match the scalar forms within 2e-6, tails and extremes included")
  void geluMatchesScalar() {
    Random rnd = new Random(7);
    for (int n : new int[] {1, 15, 16, 17, 1000, 4099}) {
      FloatBuf x = random(rnd, n, 3);
      if (n > 3) {
        x.set(0, 40f);
        x.set(1, -40f);
        x.set(2, 0f);
      }
      FloatBuf y1 = FloatBuf.allocate(n), t1 = FloatBuf.allocate(n);
      FloatBuf y2 = FloatBuf.allocate(n), t2 = FloatBuf.allocate(n);
      TrainOps.geluScalar(y1, t1, x, n);
      VectorTrainOps.gelu(y2, t2, x, n);
      assertClose(y1, y2, n, "gelu n=" + n);
      assertClose(t1, t2, n, "tanh n=" + n);
      FloatBuf d1 = random(rnd, n, 1);
      FloatBuf d2 = copy(d1);
      TrainOps.geluBackwardScalar(d1, x, t1, n);
      VectorTrainOps.geluBackward(d2, x, t1, n);
      assertClose(d1, d2, n, "gelu backward n=" + n);
    }
  }

  @Test
  @DisplayName("softmax rows and their backward match the scalar forms at an offset, rows sum to 1")
  void softmaxMatchesScalar() {
    Random rnd = new Random(11);
    for (int n : new int[] {1, 7, 16, 33, 260}) {
      int rows = 5;
      int at = 13;
      FloatBuf p1 = random(rnd, at + rows * n, 4);
      FloatBuf p2 = copy(p1);
      TrainOps.softmaxRowsScalar(p1, at, rows, n);
      VectorTrainOps.softmaxRows(p2, at, rows, n);
      assertClose(p1, p2, at + (long) rows * n, "softmax n=" + n);
      for (int r = 0; r < rows; r++) {
        double sum = 0;
        for (int j = 0; j < n; j++) sum += p2.get(at + (long) r * n + j);
        assertEquals(1.0, sum, 1e-5, "row " + r + " of n=" + n);
      }
      int dAt = 3;
      FloatBuf d1 = random(rnd, dAt + rows * n, 1);
      FloatBuf d2 = copy(d1);
      TrainOps.softmaxBackwardScalar(p1, at, d1, dAt, rows, n);
      VectorTrainOps.softmaxBackward(p1, at, d2, dAt, rows, n);
      assertClose(d1, d2, dAt + (long) rows * n, "softmax backward n=" + n);
    }
  }

  @Test
  @DisplayName(
      "LayerNorm and modulation, forward and backward, match the scalar forms within 2e-6, their"
          + " per-image sums over an image's 260 rows within float summation (hid with a tail after"
          + " the last full vector)")
  void layerNormAndModulationMatchScalar() {
    Random rnd = new Random(13);
    for (int hid : new int[] {16, 40, 128}) {
      int n = 3;
      int per = 260; // an image's rows on the shapes preset: the sums below run over them
      int rows = n * per;
      int ms = 6 * hid;
      int k = 3;
      FloatBuf x = random(rnd, rows * hid, 2);
      FloatBuf xh1 = FloatBuf.allocate(rows * hid), r1 = FloatBuf.allocate(rows);
      FloatBuf xh2 = FloatBuf.allocate(rows * hid), r2 = FloatBuf.allocate(rows);
      TrainOps.layerNormScalar(x, xh1, r1, rows, hid);
      VectorTrainOps.layerNorm(x, xh2, r2, rows, hid);
      assertClose(xh1, xh2, (long) rows * hid, "xhat hid=" + hid);
      assertClose(r1, r2, rows, "rstd hid=" + hid);
      FloatBuf mods = random(rnd, n * ms, 0.5);
      FloatBuf h1 = FloatBuf.allocate(rows * hid), h2 = FloatBuf.allocate(rows * hid);
      TrainOps.modulateScalar(h1, xh1, new Mods(mods, null, ms, n, per, hid), k);
      VectorTrainOps.modulate(h2, xh1, new Mods(mods, null, ms, n, per, hid), k);
      assertClose(h1, h2, (long) rows * hid, "modulate hid=" + hid);
      FloatBuf dh = random(rnd, rows * hid, 1);
      FloatBuf dm1 = random(rnd, n * ms, 1), dm2 = copy(dm1);
      FloatBuf dx1 = random(rnd, rows * hid, 1), dx2 = copy(dx1);
      TrainOps.modulateBackwardScalar(dh, xh1, r1, new Mods(mods, dm1, ms, n, per, hid), k, dx1);
      VectorTrainOps.modulateBackward(dh, xh1, r1, new Mods(mods, dm2, ms, n, per, hid), k, dx2);
      assertSumsClose(dm1, dm2, n, ms, k, per, hid, dh, null, "dshift hid=" + hid);
      assertSumsClose(dm1, dm2, n, ms, k + 1, per, hid, dh, xh1, "dscale hid=" + hid);
      assertOthersUntouched(dm1, dm2, n, ms, hid, k, k + 1, "dmods hid=" + hid);
      assertClose(dx1, dx2, (long) rows * hid, "dx hid=" + hid);
    }
  }

  @Test
  @DisplayName(
      "Gates, forward and backward, and column sums (over 1,000 rows, in blocks) match the scalar"
          + " forms")
  void gatesAndColumnSumsMatchScalar() {
    Random rnd = new Random(17);
    for (int hid : new int[] {16, 40, 128}) {
      int n = 3;
      int per = 260; // an image's rows on the shapes preset: the sums below run over them
      int rows = n * per;
      int ms = 6 * hid;
      int k = 2;
      FloatBuf x = random(rnd, rows * hid, 1);
      FloatBuf y = random(rnd, rows * hid, 1);
      FloatBuf mods = random(rnd, n * ms, 0.5);
      FloatBuf o1 = FloatBuf.allocate(rows * hid), o2 = FloatBuf.allocate(rows * hid);
      TrainOps.gatedSumScalar(o1, x, y, new Mods(mods, null, ms, n, per, hid), k);
      VectorTrainOps.gatedSum(o2, x, y, new Mods(mods, null, ms, n, per, hid), k);
      assertClose(o1, o2, (long) rows * hid, "gated sum hid=" + hid);
      FloatBuf dm1 = random(rnd, n * ms, 1), dm2 = copy(dm1);
      FloatBuf dy1 = FloatBuf.allocate(rows * hid), dy2 = FloatBuf.allocate(rows * hid);
      TrainOps.gateBackwardScalar(x, y, new Mods(mods, dm1, ms, n, per, hid), k, dy1);
      VectorTrainOps.gateBackward(x, y, new Mods(mods, dm2, ms, n, per, hid), k, dy2);
      assertSumsClose(dm1, dm2, n, ms, k, per, hid, x, y, "dgate hid=" + hid);
      assertOthersUntouched(dm1, dm2, n, ms, hid, k, k, "dmods hid=" + hid);
      assertClose(dy1, dy2, (long) rows * hid, "dy hid=" + hid);
      int many = 1000;
      FloatBuf big = random(rnd, many * hid, 1);
      FloatBuf a1 = random(rnd, hid, 1), a2 = copy(a1);
      Blas.columnSumsScalar(big, many, hid, a1);
      VectorTrainOps.columnSums(big, many, hid, a2);
      for (int j = 0; j < hid; j++) {
        // float partials over 64 rows: within 64·ε of the absolute sum (the sum itself may cancel)
        double abs = 0;
        for (int r = 0; r < many; r++) abs += Math.abs(big.get((long) r * hid + j));
        assertEquals(a1.get(j), a2.get(j), 64 * 6e-8 * abs, "column sums hid=" + hid + " col " + j);
      }
    }
  }
}
