package io.instgenie.kernels.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jcuda.driver.CUdeviceptr;

/**
 * GPU figures the engine benchmark cannot give: GEMM TFLOP/s per precision against the device's
 * dense BF16 peak, and pipeline bubbles of a masked step whose cached rows come from pinned host
 * memory ({@link PinnedBlockCache}) against the same step with the cache already on the device
 * ({@link PipelineBench}). Only the precisions the loaded PTX really computes are measured: on a
 * device without the sm_90 PTX (cc 8.x and older) the BF16 and TF32 launches run the FP32 body, so
 * they get no row of their own. {@code java -cp ... io.instgenie.kernels.cuda.CudaBench [--json
 * FILE]}; prints the JSON.
 */
public final class CudaBench {
  /** A DiT shape: hidden, heads, depth, image tokens, prompt tokens. */
  record Shape(String name, int hidden, int heads, int depth, int tokens, int prompt) {}

  static final Shape[] SHAPES = {
    new Shape("bench", 256, 4, 8, 1024, 8), new Shape("dit-xl-512", 1152, 16, 28, 1024, 8)
  };

  private final CudaDevice dev;
  private final CudaKernels k;

  private CudaBench(CudaDevice dev) {
    this.dev = dev;
    this.k = new CudaKernels(dev);
  }

  public static void main(String[] args) throws Exception {
    Path json = args.length == 2 && args[0].equals("--json") ? Path.of(args[1]) : null;
    if (!CudaProbe.get().available()) {
      System.err.println(CudaProbe.get());
      System.exit(2);
    }
    try (CudaDevice dev = CudaDevice.open()) {
      Map<String, Object> out = dev.call(() -> new CudaBench(dev).run());
      String text = Json.write(out);
      System.out.println(text);
      if (json != null) Files.writeString(json, text);
    }
  }

  /** The precisions worth a GEMM row: those the loaded PTX computes, each once. */
  static List<GemmPrecision> measured(boolean tensorCores) {
    Set<GemmPrecision> out = new LinkedHashSet<>();
    for (GemmPrecision p : GemmPrecision.values()) out.add(p.on(tensorCores));
    return List.copyOf(out);
  }

  private Map<String, Object> run() {
    Map<String, Object> out = new LinkedHashMap<>();
    CudaProbe p = dev.probe();
    double peak = bf16PeakTflops(p.device());
    boolean tc = dev.tensorCores();
    out.put("device", p.device());
    out.put("compute_capability", p.ccMajor() + "." + p.ccMinor());
    out.put("driver", p.driver());
    out.put("ptx_target", dev.target());
    out.put("tensor_core_gemms", tc);
    if (!tc) {
      out.put("note", "no sm_90 PTX on this device: BF16 and TF32 launches run the FP32 body");
    }
    out.put("bf16_dense_peak_tflops", peak);
    try (BenchMemory mem = new BenchMemory()) {
      List<Map<String, Object>> gemms = new ArrayList<>();
      int[][] shapes = {{4096, 4096, 4096}, {8 * 1032, 768, 256}, {8 * 1032, 1024, 256}};
      for (int[] s : shapes) {
        for (GemmPrecision prec : measured(tc)) {
          double ms = gemmMs(mem, prec, s[0], s[1], s[2]);
          double tflops = 2.0 * s[0] * s[1] * s[2] / (ms * 1e9);
          Map<String, Object> g = new LinkedHashMap<>();
          g.put("m_n_k", s[0] + "x" + s[1] + "x" + s[2]);
          g.put("precision", prec.name());
          g.put("ms", ms);
          g.put("tflops", tflops);
          g.put("pct_of_bf16_peak", peak > 0 ? 100 * tflops / peak : null);
          gemms.add(g);
        }
      }
      out.put("gemm", gemms);
    }
    List<Map<String, Object>> pipes = new ArrayList<>();
    for (Shape s : SHAPES) {
      try (BenchMemory mem = new BenchMemory()) {
        GemmPrecision prec = GemmPrecision.BF16.on(tc);
        pipes.add(new PipelineBench(k, mem, prec, s, 8, 0.2).measure());
      }
    }
    out.put("pipeline", pipes);
    return out;
  }

  private double gemmMs(BenchMemory mem, GemmPrecision prec, int m, int n, int kk) {
    CUdeviceptr x = mem.random((long) m * kk);
    CUdeviceptr w = mem.random((long) n * kk);
    CUdeviceptr y = mem.alloc((long) m * n);
    return BenchMemory.medianMs(() -> k.linear(null, prec, y, n, x, kk, w, null, m, n, kk, false));
  }

  /** Dense BF16 tensor-core peak (no sparsity) by device name; 0 when unknown. */
  static double bf16PeakTflops(String device) {
    String d = device == null ? "" : device.toUpperCase(Locale.ROOT);
    if (d.contains("H200")) return 989;
    if (d.contains("H100") && d.contains("PCIE")) return 756;
    if (d.contains("H100")) return 989;
    if (d.contains("A100")) return 312;
    if (d.contains("L40S")) return 362;
    if (d.contains("A10G") || d.contains("A10 ")) return 125;
    return 0;
  }

  /** Just enough JSON for flat maps and lists of them. */
  static final class Json {
    static String write(Object v) {
      StringBuilder sb = new StringBuilder();
      write(sb, v, "");
      return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, String indent) {
      if (v instanceof Map<?, ?> m) {
        sb.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          sb.append(indent).append("  \"").append(e.getKey()).append("\": ");
          write(sb, e.getValue(), indent + "  ");
          sb.append(++i < m.size() ? ",\n" : "\n");
        }
        sb.append(indent).append("}");
      } else if (v instanceof List<?> l) {
        sb.append("[\n");
        for (int i = 0; i < l.size(); i++) {
          sb.append(indent).append("  ");
          write(sb, l.get(i), indent + "  ");
          sb.append(i + 1 < l.size() ? ",\n" : "\n");
        }
        sb.append(indent).append("]");
      } else if (v instanceof String str) {
        sb.append('"').append(str.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      } else if (v instanceof Double dv) {
        sb.append(dv.isNaN() || dv.isInfinite() ? "null" : String.format(Locale.ROOT, "%.4g", dv));
      } else {
        sb.append(v);
      }
    }
  }
}
