package io.instgenie.kernels.backend;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CachedRowStaging;
import io.instgenie.kernels.cuda.CudaDevice;
import io.instgenie.kernels.cuda.CudaKernels;
import io.instgenie.kernels.cuda.DeviceMirrors;
import io.instgenie.kernels.cuda.DeviceRowStaging;
import io.instgenie.kernels.cuda.DeviceTier;
import io.instgenie.kernels.cuda.GemmPrecision;
import io.instgenie.kernels.cuda.PinnedBlockCache;
import io.instgenie.kernels.tensor.FloatBuf;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Locale;

/**
 * The GPU backend: every operation runs our PTX kernels on device mirrors of its buffers ({@link
 * DeviceMirrors}), so a forward that announces its host reads and writes ({@link #hostReads},
 * {@link #hostWrote}) keeps activations and weights on the device and copies only embeddings in and
 * velocities out. All driver calls run on the device's own thread; {@link #run} moves a whole
 * forward there. Attention with a head dimension above {@value CudaKernels#ATTENTION_MAX_D}
 * delegates to the CPU, with a warning. A masked forward's cached rows take the device path ({@link
 * CachedRowStaging}, by {@link DeviceRowStaging}): pinned host memory, copies on their own stream
 * overlapping compute per block ({@link PinnedBlockCache}), a device tier for the hottest steps.
 */
public final class CudaBackend implements Backend, CachedRowStaging, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(CudaBackend.class.getName());

  private final CudaDevice dev;
  private final CudaKernels k;
  private final GemmPrecision precision;
  private final DeviceMirrors mem = new DeviceMirrors();
  private final DeviceRowStaging rows;
  private Backend fallback;

  private CudaBackend(CudaDevice dev, GemmPrecision precision, long deviceTierBytes) {
    this.dev = dev;
    this.k = new CudaKernels(dev);
    this.precision = dev.tensorCores() ? precision : GemmPrecision.FP32;
    this.rows = new DeviceRowStaging(k, mem, deviceTierBytes);
  }

  /** Device 0 with the configured GEMM precision; fails with the probe's reason without one. */
  public static CudaBackend open() {
    return open(GemmPrecision.configured());
  }

  public static CudaBackend open(GemmPrecision precision) {
    return open(precision, DeviceTier.configuredBytes());
  }

  /** As above with the device tier capped at {@code deviceTierBytes} (0: no device tier). */
  public static CudaBackend open(GemmPrecision precision, long deviceTierBytes) {
    return new CudaBackend(CudaDevice.open(), precision, deviceTierBytes);
  }

  /** The cached-row path: its device tier and counters. */
  public DeviceRowStaging rows() {
    return rows;
  }

  public CudaKernels kernels() {
    return k;
  }

  public CudaDevice device() {
    return dev;
  }

  public GemmPrecision precision() {
    return precision;
  }

  @Override
  public String name() {
    return "cuda-" + precision.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void run(Runnable work) {
    dev.run(work);
  }

  @Override
  public void hostWrote(FloatBuf b, long off, long n) {
    dev.run(() -> mem.upload(b, off, n));
  }

  @Override
  public void hostReads(FloatBuf b, long off, long n) {
    dev.run(() -> mem.download(b, off, n));
  }

  @Override
  public void release(FloatBuf b) {
    dev.run(() -> mem.release(b));
  }

  /** Frees this backend's device memory (mirrors, pinned caches, device tier) and its thread. */
  @Override
  public void close() {
    dev.run(
        () -> {
          rows.close();
          mem.close();
        });
    dev.close();
  }

  @Override
  public void begin(
      List<BlockSource> sources, List<int[]> tokens, BlockMode[] plan, int imageTokens, int hid) {
    dev.run(() -> rows.begin(sources, tokens, plan, imageTokens, hid));
  }

  @Override
  public void gather(BlockSource src, int block, int[] tokens, FloatBuf dst, long dstOff) {
    dev.run(() -> rows.gather(src, block, tokens, dst, dstOff));
  }

  @Override
  public void blockDone(int block) {
    dev.run(() -> rows.blockDone(block));
  }

  @Override
  public void end() {
    dev.run(rows::end);
  }

  @Override
  public void linear(Rows y, Rows x, Dense w, int m, int n, int kk, boolean accumulate) {
    dev.run(
        () ->
            k.linear(
                null,
                precision,
                mem.at(y.buf(), y.off()),
                y.ld(),
                mem.at(x.buf(), x.off()),
                x.ld(),
                mem.at(w.weight(), w.weightOff()),
                mem.at(w.bias(), w.biasOff()),
                m,
                n,
                kk,
                accumulate));
  }

  @Override
  public void layerNormModulate(Rows y, Rows x, int rows, int h, Modulation mod, float eps) {
    if (y.ld() != h || x.ld() != h) {
      throw new IllegalArgumentException(
          "the CUDA LayerNorm needs rows of stride h=" + h + ", got " + y.ld() + " and " + x.ld());
    }
    dev.run(
        () ->
            k.layerNormModulate(
                null,
                mem.at(y.buf(), y.off()),
                mem.at(x.buf(), x.off()),
                rows,
                h,
                mem.at(mod.buf(), mod.shiftOff()),
                mem.at(mod.buf(), mod.scaleOff()),
                eps));
  }

  @Override
  public void geluTanh(FloatBuf x, long off, long n) {
    dev.run(() -> k.gelu(null, mem.at(x, off), n));
  }

  @Override
  public void silu(FloatBuf y, long yOff, FloatBuf x, long xOff, long n) {
    dev.run(() -> k.silu(null, mem.at(y, yOff), mem.at(x, xOff), n));
  }

  @Override
  public void gatedAdd(
      FloatBuf x, long xOff, FloatBuf y, long yOff, FloatBuf gate, long gateOff, int rows, int h) {
    dev.run(
        () -> k.gatedAdd(null, mem.at(x, xOff), mem.at(y, yOff), mem.at(gate, gateOff), rows, h));
  }

  @Override
  public void attention(Rows out, Rows qkv, Span q, Span kv1, Span kv2, int heads, int d) {
    if (d > CudaKernels.ATTENTION_MAX_D) {
      attentionOnCpu(out, qkv, q, kv1, kv2, heads, d);
      return;
    }
    dev.run(
        () ->
            k.attention(
                null,
                mem.at(out.buf(), out.off()),
                out.ld(),
                mem.at(qkv.buf(), qkv.off()),
                qkv.ld(),
                Math.toIntExact(q.start()),
                q.count(),
                Math.toIntExact(kv1.start()),
                kv1.count(),
                Math.toIntExact(kv2.start()),
                kv2.count(),
                heads,
                d));
  }

  /** The visible delegation: whole buffers to the host, CPU attention, the output back. */
  private void attentionOnCpu(Rows out, Rows qkv, Span q, Span kv1, Span kv2, int heads, int d) {
    if (fallback == null) {
      LOG.log(
          Level.WARNING,
          "head dim "
              + d
              + " > "
              + CudaKernels.ATTENTION_MAX_D
              + ": attention runs on the CPU (slow: buffers cross PCIe)");
      fallback = Backends.cpu();
    }
    hostReads(qkv.buf(), 0, qkv.buf().size());
    hostReads(out.buf(), 0, out.buf().size());
    fallback.attention(out, qkv, q, kv1, kv2, heads, d);
    long written = Math.min(out.buf().size() - out.off(), (long) q.count() * out.ld());
    hostWrote(out.buf(), out.off(), written);
  }
}
