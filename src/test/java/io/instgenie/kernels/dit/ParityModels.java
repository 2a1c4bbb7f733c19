package io.instgenie.kernels.dit;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.Backends;
import io.instgenie.kernels.io.TensorData;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Weights;
import java.util.Map;

/**
 * Random models for the GPU parity tests, with weights large enough that attention and the cached
 * rows matter. At the default N(0, 0.02) attention is nearly uniform: a masked velocity computed
 * from another step's cache moves by ~1e-5, under any FP32 tolerance. At these scales it moves by
 * more than 100 times the tolerance ({@code ParityModelsTest} checks it on the CPU).
 */
public final class ParityModels {
  /** FP32 parity: max |Δv| ≤ FP32_REL · max(1, max |v|) (8 blocks, other summation orders). */
  public static final double FP32_REL = 2e-3;

  private static Backend cpu;

  private ParityModels() {}

  /**
   * The CPU side of the parity tests: the CPU backend where it runs on this JVM, else (the GPU
   * bundle's Java 25 runtime, whose Vector API lacks the Java 17 ByteBuffer methods, or a glibc
   * older than OpenBLAS's natives need) the reference backend, slower but as exact.
   */
  public static synchronized Backend cpu() {
    if (cpu == null) {
      cpu = Backends.cpu();
      System.out.println("parity reference on the host: " + cpu.name());
    }
    return cpu;
  }

  /**
   * Weight std per preset: 0.25 for tiny; 0.1 for bench, whose 8 blocks of H 256 blow up at 0.25.
   */
  public static double std(String preset) {
    return preset.equals("tiny") ? 0.25 : 0.1;
  }

  /** The preset's random model of seed {@code seed} with every weight N(0, std(preset)²). */
  public static DitModel of(String preset, long seed) {
    ModelConfig c = Presets.byName(preset);
    return scaled(c, seed, std(preset));
  }

  /** Every weight of the seed's N(0, 0.02²) model scaled to std {@code std}. */
  public static DitModel scaled(ModelConfig c, long seed, double std) {
    Map<String, TensorData> w = ModelFiles.randomWeights(c, seed);
    float f = (float) (std / 0.02);
    for (TensorData t : w.values()) {
      float[] v = t.data();
      for (int i = 0; i < v.length; i++) v[i] *= f;
    }
    return DitModel.of(c, Weights.of(c, w));
  }

  /** The FP32 bound for a velocity whose CPU value is {@code expected}. */
  public static double fp32Tolerance(float[] expected) {
    double max = 1;
    for (float v : expected) max = Math.max(max, Math.abs(v));
    return FP32_REL * max;
  }

  public static double maxAbs(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    return d;
  }
}
