package io.instgenie.kernels.train;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import io.instgenie.kernels.backend.Rows;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.FloatBuffer;

/**
 * The dense algebra of training on off-heap buffers: OpenBLAS sgemm (row-major, explicit leading
 * dimensions) and the forward and backward of a linear layer. Each training thread calls these on
 * its own buffers, so OpenBLAS itself must run single-threaded: its own pool would fight the
 * training threads for the same cores (measured: 8x slower on two cores).
 */
final class Blas {
  static {
    blas_set_num_threads(1);
  }

  private Blas() {}

  /**
   * c = alpha·op(a)·op(b) + beta·c with op(a) [m, k], op(b) [k, n]; each matrix a row-major view
   * (element offset, row stride) of its buffer, op transposing it when {@code ta} / {@code tb}.
   */
  static void gemm(
      boolean ta,
      boolean tb,
      int m,
      int n,
      int k,
      float alpha,
      Rows a,
      Rows b,
      float beta,
      Rows c) {
    if (m == 0 || n == 0) return;
    cblas_sgemm(
        CblasRowMajor,
        ta ? CblasTrans : CblasNoTrans,
        tb ? CblasTrans : CblasNoTrans,
        m,
        n,
        k,
        alpha,
        a.buf().pointer(a.off()),
        a.ld(),
        b.buf().pointer(b.off()),
        b.ld(),
        beta,
        c.buf().pointer(c.off()),
        c.ld());
  }

  /** y[rows, out] = x[rows, in]·wᵀ + bias (w is [out, in]); both matrices dense from offset 0. */
  static void linear(FloatBuf y, FloatBuf x, FloatBuf w, FloatBuf bias, int rows, int out, int in) {
    FloatBuffer yf = y.floats();
    FloatBuffer bf = bias.floats();
    for (int r = 0; r < rows; r++) {
      int at = r * out;
      for (int j = 0; j < out; j++) yf.put(at + j, bf.get(j));
    }
    gemm(false, true, rows, out, in, 1f, Rows.of(x, in), Rows.of(w, in), 1f, Rows.of(y, out));
  }

  /**
   * Backward of {@link #linear}: dw += dyᵀ·x, db += Σ_rows dy, and dx = dy·w (or += with {@code
   * accumulate}); {@code dx} may be null when the input needs no gradient.
   */
  static void linearBackward(
      FloatBuf dy,
      FloatBuf x,
      FloatBuf w,
      FloatBuf dw,
      FloatBuf db,
      FloatBuf dx,
      int rows,
      int out,
      int in,
      boolean accumulate) {
    Rows dyRows = Rows.of(dy, out);
    gemm(true, false, out, in, rows, 1f, dyRows, Rows.of(x, in), 1f, Rows.of(dw, in));
    columnSums(dy, rows, out, db);
    if (dx != null) {
      float beta = accumulate ? 1f : 0f;
      gemm(false, false, rows, in, out, 1f, dyRows, Rows.of(w, in), beta, Rows.of(dx, in));
    }
  }

  /** acc[j] += Σ_r x[r, j] over a dense [rows, cols] matrix (summed in double). */
  static void columnSums(FloatBuf x, int rows, int cols, FloatBuf acc) {
    if (TrainOps.VECTOR) VectorTrainOps.columnSums(x, rows, cols, acc);
    else columnSumsScalar(x, rows, cols, acc);
  }

  /** {@link #columnSums} in scalar Java (sums in double), the reference of the vector form. */
  static void columnSumsScalar(FloatBuf x, int rows, int cols, FloatBuf acc) {
    FloatBuffer xf = x.floats();
    double[] s = new double[cols];
    for (int r = 0; r < rows; r++) {
      int at = r * cols;
      for (int j = 0; j < cols; j++) s[j] += xf.get(at + j);
    }
    FloatBuffer af = acc.floats();
    for (int j = 0; j < cols; j++) af.put(j, af.get(j) + (float) s[j]);
  }
}
