package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import io.instgenie.kernels.dit.BlockMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * GPU figures the engine benchmark cannot give: GEMM TFLOP/s per precision against the device's
 * dense BF16 peak, and pipeline bubbles of a masked step whose cached rows come from pinned host
 * memory ({@link PinnedBlockCache}) against the same step with the cache already on the device.
 * {@code java -cp ... io.instgenie.kernels.cuda.CudaBench [--json FILE]}; prints a table.
 */
public final class CudaBench {
  /** A DiT shape: hidden, heads, depth, image tokens, prompt tokens. */
  record Shape(String name, int hidden, int heads, int depth, int tokens, int prompt) {}

  static final Shape[] SHAPES = {
    new Shape("bench", 256, 4, 8, 1024, 8), new Shape("dit-xl-512", 1152, 16, 28, 1024, 8)
  };

  private final CudaDevice dev;
  private final CudaKernels k;
  private final Random rnd = new Random(1);

  private CudaBench(CudaDevice dev) {
    this.dev = dev;
    this.k = new CudaKernels(dev);
  }

  public static void main(String[] args) throws Exception {
    Path json = args.length == 2 && args[0].equals("--json") ? Path.of(args[1]) : null;
    try (CudaDevice dev = CudaDevice.open()) {
      Map<String, Object> out = dev.call(() -> new CudaBench(dev).run());
      String text = Json.write(out);
      System.out.println(text);
      if (json != null) Files.writeString(json, text);
    }
  }

  private Map<String, Object> run() {
    Map<String, Object> out = new LinkedHashMap<>();
    CudaProbe p = dev.probe();
    double peak = bf16PeakTflops(p.device());
    out.put("device", p.device());
    out.put("compute_capability", p.ccMajor() + "." + p.ccMinor());
    out.put("ptx_target", dev.target());
    out.put("bf16_dense_peak_tflops", peak);
    List<Map<String, Object>> gemms = new ArrayList<>();
    int[][] shapes = {{4096, 4096, 4096}, {8 * 1032, 768, 256}, {8 * 1032, 1024, 256}};
    for (int[] s : shapes) {
      for (GemmPrecision prec : GemmPrecision.values()) {
        double ms = gemmMs(prec, s[0], s[1], s[2]);
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
    List<Map<String, Object>> pipes = new ArrayList<>();
    for (Shape s : SHAPES) pipes.add(new Pipeline(s, 8, 0.2).measure());
    out.put("pipeline", pipes);
    return out;
  }

  /** Median of 9 timed runs (events on the default stream) after 2 warm-ups. */
  private double gemmMs(GemmPrecision prec, int m, int n, int kk) {
    CUdeviceptr x = randomDevice((long) m * kk);
    CUdeviceptr w = randomDevice((long) n * kk);
    CUdeviceptr y = alloc((long) m * n);
    return medianMs(() -> k.linear(null, prec, y, n, x, kk, w, null, m, n, kk, false));
  }

  double medianMs(Runnable work) {
    CUevent a = new CUevent();
    CUevent b = new CUevent();
    cuEventCreate(a, CUevent_flags.CU_EVENT_DEFAULT);
    cuEventCreate(b, CUevent_flags.CU_EVENT_DEFAULT);
    work.run();
    work.run();
    cuCtxSynchronize();
    double[] t = new double[9];
    float[] ms = {0};
    for (int i = 0; i < t.length; i++) {
      cuEventRecord(a, null);
      work.run();
      cuEventRecord(b, null);
      cuEventSynchronize(b);
      cuEventElapsedTime(ms, a, b);
      t[i] = ms[0];
    }
    Arrays.sort(t);
    return t[t.length / 2];
  }

  CUdeviceptr alloc(long floats) {
    CUdeviceptr d = new CUdeviceptr();
    cuMemAlloc(d, Math.max(1, floats) * Float.BYTES);
    return d;
  }

  CUdeviceptr randomDevice(long floats) {
    float[] v = new float[(int) floats];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * 0.05);
    CUdeviceptr d = alloc(floats);
    cuMemcpyHtoD(d, Pointer.to(v), floats * Float.BYTES);
    return d;
  }

  CUdeviceptr deviceInts(int[] v) {
    CUdeviceptr d = new CUdeviceptr();
    cuMemAlloc(d, Math.max(1, v.length) * (long) Integer.BYTES);
    if (v.length > 0) cuMemcpyHtoD(d, Pointer.to(v), (long) v.length * Integer.BYTES);
    return d;
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

  /**
   * One masked step of {@code batch} requests on one template, ratio {@code ratio}: per block the
   * cached rows are gathered (from a device-resident copy, from pinned memory through the pipeline,
   * or from pinned memory copied synchronously), then the block's masked compute runs.
   */
  final class Pipeline {
    private final Shape s;
    private final int batch;
    private final int masked;
    private final int cached;
    private final int q;
    private final int rows;
    private final CUdeviceptr wqkv, bqkv, wproj, wfc1, wfc2, mods;
    private final CUdeviceptr x, hn, qkv, o, tmp, mlp, tokens, resident;
    private final double ratio;

    Pipeline(Shape s, int batch, double ratio) {
      this.s = s;
      this.batch = batch;
      this.ratio = ratio;
      this.masked = (int) Math.round(ratio * s.tokens());
      this.cached = s.tokens() - masked;
      this.q = s.prompt() + masked;
      this.rows = batch * (s.prompt() + s.tokens());
      int h = s.hidden();
      wqkv = randomDevice(3L * h * h);
      bqkv = randomDevice(3L * h);
      wproj = randomDevice((long) h * h);
      wfc1 = randomDevice(4L * h * h);
      wfc2 = randomDevice(4L * h * h);
      mods = randomDevice(6L * h);
      x = randomDevice((long) rows * h);
      hn = alloc((long) rows * h);
      qkv = alloc(3L * rows * h);
      o = alloc((long) rows * h);
      tmp = alloc((long) rows * h);
      mlp = alloc(4L * rows * h);
      int[] idx = new int[cached];
      for (int i = 0; i < cached; i++) idx[i] = i;
      tokens = deviceInts(idx);
      resident = randomDevice((long) s.depth() * s.tokens() * h);
    }

    Map<String, Object> measure() {
      BlockMode[] plan = new BlockMode[s.depth()];
      Arrays.fill(plan, BlockMode.CACHE);
      PinnedBlockCache cache = new PinnedBlockCache(k, s.depth(), s.tokens(), s.hidden());
      for (int i = 0; i < cache.host().capacity(); i++) cache.host().put(i, 0.01f * (i % 97));
      double full = medianMs(() -> step(null, plan, true));
      double device = medianMs(() -> step(null, plan, false));
      double pinned = medianMs(() -> step(cache, plan, false));
      CUdeviceptr scratch = alloc((long) s.tokens() * s.hidden());
      double serial =
          medianMs(
              () -> {
                for (int b = 0; b < s.depth(); b++) {
                  cache.loadNow(b, scratch);
                  for (int r = 0; r < batch; r++) {
                    k.gatherRows(null, cachedRows(r), scratch, tokens, cached, s.hidden());
                  }
                  block(b, false);
                }
              });
      double copies =
          medianMs(
              () -> {
                for (int b = 0; b < s.depth(); b++) cache.loadNow(b, scratch);
              });
      cache.close();
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("shape", s.name());
      r.put("hidden", s.hidden());
      r.put("depth", s.depth());
      r.put("tokens", s.tokens());
      r.put("batch", batch);
      r.put("mask_ratio", ratio);
      r.put("cache_mb_per_step", s.depth() * cache.blockBytes() / 1e6);
      r.put("full_step_ms", full);
      r.put("masked_step_ms_cache_on_device", device);
      r.put("masked_step_ms_cache_pinned_pipelined", pinned);
      r.put("masked_step_ms_cache_pinned_serial", serial);
      r.put("copies_only_ms", copies);
      r.put("pcie_gb_per_s", s.depth() * cache.blockBytes() / (copies * 1e6));
      r.put("bubble_ms", Math.max(0, pinned - device));
      r.put("bubble_pct", 100 * Math.max(0, pinned - device) / device);
      r.put("speedup_vs_full", full / pinned);
      return r;
    }

    /** One step: every block, cached rows from {@code cache} (null: the resident copy). */
    void step(PinnedBlockCache cache, BlockMode[] plan, boolean recompute) {
      if (cache != null) cache.startStep(plan);
      int h = s.hidden();
      for (int b = 0; b < s.depth(); b++) {
        if (!recompute) {
          for (int r = 0; r < batch; r++) {
            CUdeviceptr dst = cachedRows(r);
            if (cache != null) cache.gather(null, b, dst, tokens, cached);
            else {
              CUdeviceptr src = resident.withByteOffset((long) b * s.tokens() * h * 4);
              k.gatherRows(null, dst, src, tokens, cached, h);
            }
          }
          if (cache != null) cache.release(null, b);
        }
        block(b, recompute);
      }
    }

    /** Where request r's cached rows sit in X: after every request's query rows. */
    CUdeviceptr cachedRows(int r) {
      return x.withByteOffset(((long) batch * q + (long) r * cached) * s.hidden() * 4);
    }

    /** The block's kernels on the packed rows: query rows first, then cached rows. */
    void block(int b, boolean recompute) {
      int h = s.hidden();
      int n = batch * (s.prompt() + s.tokens());
      int rq = recompute ? n : batch * q;
      GemmPrecision p = GemmPrecision.BF16;
      k.layerNormModulate(null, hn, x, n, h, mods, mods.withByteOffset(h * 4L), 1e-6f);
      k.linear(null, p, qkv, 3 * h, hn, h, wqkv, bqkv, rq, 3 * h, h, false);
      if (rq < n) {
        k.linear(
            null,
            p,
            qkv.withByteOffset((long) rq * 3 * h * 4 + h * 4L),
            3 * h,
            hn.withByteOffset((long) rq * h * 4),
            h,
            wqkv.withByteOffset((long) h * h * 4),
            bqkv.withByteOffset(h * 4L),
            n - rq,
            2 * h,
            h,
            false);
      }
      int d = h / s.heads();
      for (int r = 0; r < batch; r++) {
        int q0 = recompute ? r * (s.prompt() + s.tokens()) : r * q;
        int nq = recompute ? s.prompt() + s.tokens() : q;
        int n1 = recompute ? nq : q;
        int kv2 = recompute ? 0 : batch * q + r * cached;
        int n2 = recompute ? 0 : cached;
        k.attention(
            null,
            o.withByteOffset((long) q0 * h * 4),
            h,
            qkv,
            3 * h,
            q0,
            nq,
            q0,
            n1,
            kv2,
            n2,
            s.heads(),
            d);
      }
      k.linear(null, p, tmp, h, o, h, wproj, null, rq, h, h, false);
      k.gatedAdd(null, x, tmp, mods.withByteOffset(2L * h * 4), rq, h);
      k.layerNormModulate(
          null,
          hn,
          x,
          rq,
          h,
          mods.withByteOffset(3L * h * 4),
          mods.withByteOffset(4L * h * 4),
          1e-6f);
      k.linear(null, p, mlp, 4 * h, hn, h, wfc1, null, rq, 4 * h, h, false);
      k.gelu(null, mlp, (long) rq * 4 * h);
      k.linear(null, p, tmp, h, mlp, 4 * h, wfc2, null, rq, h, 4 * h, false);
      k.gatedAdd(null, x, tmp, mods.withByteOffset(5L * h * 4), rq, h);
    }
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
