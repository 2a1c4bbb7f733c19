package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/**
 * Launches of the kernels in kernels/src/main/cuda, one method per kernel, on device pointers that
 * already point at the first element addressed (offsets applied by the caller). Asynchronous on
 * {@code stream} (null: the legacy default stream). Call on the device's thread.
 */
public final class CudaKernels {
  private static final int ELEMENTWISE_THREADS = 256;
  private static final int MAX_BLOCKS = 4096;
  private static final int GEMM_TILE = 64;

  /** Largest head dimension the attention kernel holds in registers (ATT_MAX_D). */
  public static final int ATTENTION_MAX_D = 128;

  private static final int ATTENTION_ROWS = 16;

  private final CudaDevice dev;

  public CudaKernels(CudaDevice dev) {
    this.dev = dev;
  }

  /** The entry points of a module, as declared extern "C" in its .cu file. */
  static List<String> functionsOf(String module) {
    return switch (module) {
      case "gemm" -> List.of("linear_f32", "linear_tf32", "linear_bf16");
      case "attention" -> List.of("attention_f32");
      case "elementwise" ->
          List.of(
              "layernorm_modulate",
              "gelu_tanh",
              "silu",
              "gated_add",
              "gather_rows",
              "scatter_rows",
              "embed_position");
      default -> throw new IllegalArgumentException("unknown PTX module " + module);
    };
  }

  /** y[m, n] (row stride ldy) = x[m, k]·wᵀ + bias (w [n, k] dense; bias may be null). */
  public void linear(
      CUstream stream,
      GemmPrecision p,
      CUdeviceptr y,
      int ldy,
      CUdeviceptr x,
      int ldx,
      CUdeviceptr w,
      CUdeviceptr bias,
      int m,
      int n,
      int k,
      boolean accumulate) {
    if (m == 0 || n == 0) return;
    launch(
        p.kernel,
        stream,
        ceil(n, GEMM_TILE),
        ceil(m, GEMM_TILE),
        256,
        y,
        ldy,
        x,
        ldx,
        w,
        bias == null ? new CUdeviceptr() : bias,
        m,
        n,
        k,
        accumulate ? 1 : 0);
  }

  /** Attention of one request (see attention.cu); {@code out} points at its first query row. */
  public void attention(
      CUstream stream,
      CUdeviceptr out,
      int ldo,
      CUdeviceptr qkv,
      int ldqkv,
      int qRow,
      int nq,
      int kv1Row,
      int n1,
      int kv2Row,
      int n2,
      int heads,
      int d) {
    if (nq == 0) return;
    if (d > ATTENTION_MAX_D) {
      throw new IllegalArgumentException("head dim " + d + " > " + ATTENTION_MAX_D);
    }
    launch(
        "attention_f32",
        stream,
        ceil(nq, ATTENTION_ROWS),
        heads,
        128,
        out,
        ldo,
        qkv,
        ldqkv,
        qRow,
        nq,
        kv1Row,
        n1,
        kv2Row,
        n2,
        heads,
        d);
  }

  public void layerNormModulate(
      CUstream stream,
      CUdeviceptr y,
      CUdeviceptr x,
      int rows,
      int h,
      CUdeviceptr shift,
      CUdeviceptr scale,
      float eps) {
    if (rows == 0) return;
    launch("layernorm_modulate", stream, rows, 1, 256, y, x, rows, h, shift, scale, eps);
  }

  public void gelu(CUstream stream, CUdeviceptr x, long n) {
    if (n > 0) launch("gelu_tanh", stream, blocks(n), 1, ELEMENTWISE_THREADS, x, n);
  }

  public void silu(CUstream stream, CUdeviceptr y, CUdeviceptr x, long n) {
    if (n > 0) launch("silu", stream, blocks(n), 1, ELEMENTWISE_THREADS, y, x, n);
  }

  public void gatedAdd(
      CUstream stream, CUdeviceptr x, CUdeviceptr y, CUdeviceptr gate, int rows, int h) {
    long n = (long) rows * h;
    if (n > 0) launch("gated_add", stream, blocks(n), 1, ELEMENTWISE_THREADS, x, y, gate, rows, h);
  }

  /** dst[r] = src[index[r]] (index: device ints). */
  public void gatherRows(
      CUstream stream, CUdeviceptr dst, CUdeviceptr src, CUdeviceptr index, int rows, int h) {
    long n = (long) rows * h;
    if (n > 0)
      launch("gather_rows", stream, blocks(n), 1, ELEMENTWISE_THREADS, dst, src, index, rows, h);
  }

  /** dst[index[r]] = src[r]. */
  public void scatterRows(
      CUstream stream, CUdeviceptr dst, CUdeviceptr src, CUdeviceptr index, int rows, int h) {
    long n = (long) rows * h;
    if (n > 0)
      launch("scatter_rows", stream, blocks(n), 1, ELEMENTWISE_THREADS, dst, src, index, rows, h);
  }

  /** x[r] = tokenBias[token[r]]: bias + 2-D position of each embedded token. */
  public void embedPosition(
      CUstream stream, CUdeviceptr x, CUdeviceptr tokenBias, CUdeviceptr tokens, int rows, int h) {
    long n = (long) rows * h;
    if (n > 0)
      launch(
          "embed_position",
          stream,
          blocks(n),
          1,
          ELEMENTWISE_THREADS,
          x,
          tokenBias,
          tokens,
          rows,
          h);
  }

  private static int ceil(long a, int b) {
    return (int) ((a + b - 1) / b);
  }

  private static int blocks(long n) {
    return Math.min(MAX_BLOCKS, ceil(n, ELEMENTWISE_THREADS));
  }

  /** Arguments by Java type: device pointers, int, long, float — as the kernels declare them. */
  private void launch(String kernel, CUstream stream, int gx, int gy, int threads, Object... args) {
    CUfunction f = dev.function(kernel);
    Pointer[] params = new Pointer[args.length];
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a instanceof NativePointerObject p) params[i] = Pointer.to(p);
      else if (a instanceof Integer v) params[i] = Pointer.to(new int[] {v});
      else if (a instanceof Long v) params[i] = Pointer.to(new long[] {v});
      else if (a instanceof Float v) params[i] = Pointer.to(new float[] {v});
      else throw new IllegalArgumentException("kernel argument of type " + a.getClass());
    }
    cuLaunchKernel(f, gx, gy, 1, threads, 1, 1, 0, stream, Pointer.to(params), null);
  }
}
