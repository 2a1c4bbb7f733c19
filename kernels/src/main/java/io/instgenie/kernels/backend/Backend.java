package io.instgenie.kernels.backend;

import io.instgenie.kernels.tensor.FloatBuf;

/**
 * The tensor operations the DiT forward needs. Matrices are row-major views ({@link Rows}: element
 * offset of row 0 and row stride, in floats), so callers address sub-blocks in place; a linear
 * layer's parameters travel as a {@link Dense}, attention's row ranges as {@link Span}s.
 * Implementations: {@link ReferenceBackend} (plain Java, the reference every fast kernel is tested
 * against), {@link CpuBackend} (OpenBLAS GEMMs, Vector API elementwise) and {@link CudaBackend}
 * (our PTX kernels on device copies of the buffers).
 *
 * <p>Host access contract: a caller that writes a buffer on the host after passing it to an
 * operation announces it with {@link #hostWrote}, and reads an operation's output on the host only
 * after {@link #hostReads}. Backends computing in host memory ignore both; a device backend copies
 * exactly those ranges, so weights and activations stay on the device between operations.
 */
public interface Backend {

  String name();

  /**
   * Runs {@code work} on the thread this backend computes from (a GPU context's thread) and waits
   * for it; in place for host backends. A forward runs whole through it.
   */
  default void run(Runnable work) {
    work.run();
  }

  /** The host wrote b[off, off+n) after an operation saw b. */
  default void hostWrote(FloatBuf b, long off, long n) {}

  /** The host is about to read b[off, off+n), written by operations. */
  default void hostReads(FloatBuf b, long off, long n) {}

  /**
   * The caller drops {@code b} and passes it to no operation again: a device backend frees its copy
   * now rather than whenever the GC notices.
   */
  default void release(FloatBuf b) {}

  /**
   * y[i, j] = Σ_c x[i, c]·w[j, c] + bias[j] for i < m, j < n, c < k (w is [n, k] with row stride k,
   * the layout of a PyTorch linear; see {@link Dense}). y and x are addressed as {@link Rows} views
   * (element offset of row 0, row stride); {@code accumulate} adds to y.
   */
  void linear(Rows y, Rows x, Dense w, int m, int n, int k, boolean accumulate);

  /**
   * y[r] = LN(x[r])·(1 + scale) + shift for rows r < rows, LayerNorm without affine over the h
   * values of each row (rows of y and x at their views' strides; the CUDA backend needs both
   * strides equal to h). shift and scale are the h-vectors of {@code mod}.
   */
  void layerNormModulate(Rows y, Rows x, int rows, int h, Modulation mod, float eps);

  /** x[i] = GELU(x[i]) with the tanh form: 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
  void geluTanh(FloatBuf x, long off, long n);

  /** y[i] = x[i]·sigmoid(x[i]). */
  void silu(FloatBuf y, long yOff, FloatBuf x, long xOff, long n);

  /** x[r, j] += gate[j]·y[r, j] for r < rows, j < h; x and y have row stride h. */
  void gatedAdd(
      FloatBuf x, long xOff, FloatBuf y, long yOff, FloatBuf gate, long gateOff, int rows, int h);

  /**
   * Multi-head attention for one sequence. Rows of {@code qkv} hold [q | k | v], each h = heads·d
   * wide. Queries: the {@code q} rows of qkv; keys and values: its {@code kv1} rows, then its
   * {@code kv2} rows (kv2 may be empty). Spans are row indices of the qkv view, not element
   * offsets. Head e uses columns e·d..(e+1)·d of q, k and v. Query i (qkv row q.start + i) writes
   * row i of {@code out}: out[i, e·d + c] = Σ_j softmax_j(q_i·k_j/√d)·v_j[c].
   */
  void attention(Rows out, Rows qkv, Span q, Span kv1, Span kv2, int heads, int d);
}
