package io.instgenie.kernels.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.tensor.FloatBuf;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

  @Test
  @DisplayName("the trainer runs its vector kernels in the test JVM (it has the incubator module)")
  void available() {
    assertTrue(VectorTrainOps.AVAILABLE);
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
}
