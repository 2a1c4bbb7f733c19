package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.instgenie.kernels.cached.BlockMode;
import java.util.Arrays;
import java.util.Random;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Row movement kernels and the pinned block cache: pure copies, so results must be exact. */
class CudaRowKernelsTest {
  private static CudaDevice dev;
  private static CudaKernels k;
  private final Random rnd = new Random(3);

  @BeforeEach
  void device() {
    Assumptions.assumeTrue(CudaProbe.get().available(), CudaProbe.get() + " (GPU tests skipped)");
    if (dev == null) {
      dev = CudaDevice.open();
      k = new CudaKernels(dev);
    }
  }

  @AfterAll
  static void close() {
    if (dev != null) dev.close();
  }

  private float[] random(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
    return v;
  }

  private static CUdeviceptr up(float[] v) {
    CUdeviceptr d = new CUdeviceptr();
    cuMemAlloc(d, Math.max(1, v.length) * 4L);
    cuMemcpyHtoD(d, Pointer.to(v), v.length * 4L);
    return d;
  }

  private static CUdeviceptr up(int[] v) {
    CUdeviceptr d = new CUdeviceptr();
    cuMemAlloc(d, Math.max(1, v.length) * 4L);
    cuMemcpyHtoD(d, Pointer.to(v), v.length * 4L);
    return d;
  }

  private static float[] down(CUdeviceptr d, int n) {
    float[] v = new float[n];
    cuCtxSynchronize();
    cuMemcpyDtoH(Pointer.to(v), d, n * 4L);
    return v;
  }

  @Test
  @DisplayName("gather, scatter and the position embedding move rows exactly")
  void rows() {
    dev.run(
        () -> {
          int tokens = 50, h = 33;
          float[] src = random(tokens * h);
          int[] idx = {49, 0, 7, 8, 30};
          CUdeviceptr s = up(src);
          CUdeviceptr i = up(idx);
          CUdeviceptr g = up(new float[idx.length * h]);
          k.gatherRows(null, g, s, i, idx.length, h);
          float[] want = new float[idx.length * h];
          for (int r = 0; r < idx.length; r++) System.arraycopy(src, idx[r] * h, want, r * h, h);
          assertArrayEquals(want, down(g, want.length), "gather_rows");
          CUdeviceptr e = up(new float[idx.length * h]);
          k.embedPosition(null, e, s, i, idx.length, h);
          assertArrayEquals(want, down(e, want.length), "embed_position");
          float[] back = new float[tokens * h];
          CUdeviceptr sc = up(back);
          k.scatterRows(null, sc, g, i, idx.length, h);
          float[] wantBack = new float[tokens * h];
          for (int r = 0; r < idx.length; r++)
            System.arraycopy(src, idx[r] * h, wantBack, idx[r] * h, h);
          assertArrayEquals(wantBack, down(sc, back.length), "scatter_rows");
        });
  }

  @Test
  @DisplayName("the pinned block cache delivers each CACHE block's rows exactly, over two steps")
  void pinnedPipeline() {
    dev.run(
        () -> {
          int depth = 5, tokens = 40, h = 24;
          PinnedBlockCache cache = new PinnedBlockCache(k, depth, tokens, h);
          float[] all = random(depth * tokens * h);
          cache.host().put(0, all);
          int[] idx = {1, 5, 39};
          CUdeviceptr i = up(idx);
          BlockMode[] plan = new BlockMode[depth];
          Arrays.fill(plan, BlockMode.CACHE);
          plan[2] = BlockMode.RECOMPUTE;
          for (int step = 0; step < 2; step++) {
            cache.startStep(plan);
            for (int b = 0; b < depth; b++) {
              if (plan[b] != BlockMode.CACHE) continue;
              CUdeviceptr dst = up(new float[idx.length * h]);
              cache.gather(null, b, dst, i, idx.length);
              cache.release(null, b);
              float[] want = new float[idx.length * h];
              for (int r = 0; r < idx.length; r++)
                System.arraycopy(all, (b * tokens + idx[r]) * h, want, r * h, h);
              assertArrayEquals(want, down(dst, want.length), "step " + step + " block " + b);
            }
          }
          cache.close();
        });
  }
}
