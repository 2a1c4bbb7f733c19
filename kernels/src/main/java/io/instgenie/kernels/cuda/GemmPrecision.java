package io.instgenie.kernels.cuda;

import java.util.Locale;

/** Input precision of the GEMM kernels; accumulation is FP32 in all three. */
public enum GemmPrecision {
  /** Plain FP32 FMA (no tensor cores): the device-side reference, parity within 1e-4. */
  FP32("linear_f32"),
  /** Tensor cores, TF32 inputs (10-bit mantissa). */
  TF32("linear_tf32"),
  /** Tensor cores, BF16 inputs (7-bit mantissa): the fast default. */
  BF16("linear_bf16");

  /** The system property choosing the backend's precision (fp32, tf32, bf16). */
  public static final String PROPERTY = "instgenie.cuda.gemm";

  final String kernel;

  GemmPrecision(String kernel) {
    this.kernel = kernel;
  }

  /**
   * What a launch of this precision computes: the tensor-core GEMMs exist only in the sm_90 PTX;
   * the compute_75 PTX (Turing to Ada, cc 8.x included) compiles them to the FP32 body.
   */
  public GemmPrecision on(boolean tensorCores) {
    return tensorCores ? this : FP32;
  }

  /** From {@code -Dinstgenie.cuda.gemm}, BF16 when unset. */
  public static GemmPrecision configured() {
    return valueOf(System.getProperty(PROPERTY, "bf16").toUpperCase(Locale.ROOT));
  }
}
