package io.instgenie.kernels.cuda;

import io.instgenie.kernels.cached.BlockMode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;

/**
 * One masked step of {@code batch} requests on one template, ratio {@code ratio}: per block the
 * cached rows are gathered (from a device-resident copy, from pinned memory through the pipeline,
 * or from pinned memory copied synchronously), then the block's masked compute runs.
 */
final class PipelineBench {
  private final CudaKernels k;
  private final BenchMemory mem;
  private final GemmPrecision p;
  private final CudaBench.Shape s;
  private final int batch;
  private final int masked;
  private final int cached;
  private final int q;
  private final int rows;
  private final CUdeviceptr wqkv, bqkv, wproj, wfc1, wfc2, mods;
  private final CUdeviceptr x, hn, qkv, o, tmp, mlp, tokens, resident;
  private final double ratio;

  PipelineBench(
      CudaKernels k, BenchMemory mem, GemmPrecision p, CudaBench.Shape s, int batch, double ratio) {
    this.k = k;
    this.mem = mem;
    this.p = p;
    this.s = s;
    this.batch = batch;
    this.ratio = ratio;
    this.masked = (int) Math.round(ratio * s.tokens());
    this.cached = s.tokens() - masked;
    this.q = s.prompt() + masked;
    this.rows = batch * (s.prompt() + s.tokens());
    int h = s.hidden();
    wqkv = mem.random(3L * h * h);
    bqkv = mem.random(3L * h);
    wproj = mem.random((long) h * h);
    wfc1 = mem.random(4L * h * h);
    wfc2 = mem.random(4L * h * h);
    mods = mem.random(6L * h);
    x = mem.random((long) rows * h);
    hn = mem.alloc((long) rows * h);
    qkv = mem.alloc(3L * rows * h);
    o = mem.alloc((long) rows * h);
    tmp = mem.alloc((long) rows * h);
    mlp = mem.alloc(4L * rows * h);
    int[] idx = new int[cached];
    for (int i = 0; i < cached; i++) idx[i] = i;
    tokens = mem.ints(idx);
    resident = mem.random((long) s.depth() * s.tokens() * h);
  }

  Map<String, Object> measure() {
    BlockMode[] plan = new BlockMode[s.depth()];
    Arrays.fill(plan, BlockMode.CACHE);
    PinnedBlockCache cache = new PinnedBlockCache(k, s.depth(), s.tokens(), s.hidden());
    for (int i = 0; i < cache.host().capacity(); i++) cache.host().put(i, 0.01f * (i % 97));
    double full = BenchMemory.medianMs(() -> step(null, plan, true));
    double device = BenchMemory.medianMs(() -> step(null, plan, false));
    double pinned = BenchMemory.medianMs(() -> step(cache, plan, false));
    CUdeviceptr scratch = mem.alloc((long) s.tokens() * s.hidden());
    double serial =
        BenchMemory.medianMs(
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
        BenchMemory.medianMs(
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
    r.put("gemm_precision", p.name());
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
