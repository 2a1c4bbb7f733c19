package io.instgenie.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cached-row pipeline under load, with no synchronisation between blocks: every (template,
 * step, block, token, column) holds its own exactly representable value, so a row read from the
 * wrong slot, block, step or token, or before its copy landed, shows as a wrong number; rows are
 * compared exactly. Compute-bound: a large GEMM before each block's gathers keeps the compute
 * stream behind the copy stream (a copy that overwrote a slot before its gathers ran would show).
 * Copy-bound: large blocks and no GEMM keep compute ahead of the copies (a gather that did not wait
 * for its copy would show). Three steps: the first two through pinned memory, the third gathers one
 * template from the device tier. Skipped without a device.
 */
class CudaPipelineTest {
  private static CudaDevice dev;
  private static CudaKernels k;

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

  /** Template {@code id}'s cache at one step: Y_b[t][j] = ((id·D + b)·T + t)·H + j, exact. */
  private record Rows(int id, int depth, int tokens, int hidden) implements BlockSource {
    float at(int b, int t, int j) {
      return (float) ((((long) id * depth + b) * tokens + t) * hidden + j);
    }

    @Override
    public void gather(int block, int[] tok, FloatBuf dst, long dstOff) {
      for (int r = 0; r < tok.length; r++) {
        for (int j = 0; j < hidden; j++)
          dst.set(dstOff + (long) r * hidden + j, at(block, tok[r], j));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"compute-bound", "copy-bound"})
  @DisplayName("rows staged without synchronisation between blocks arrive exact, step after step")
  void pipelineDeliversExactRows(String load) {
    boolean computeBound = load.equals("compute-bound");
    int depth = 6;
    int tokens = computeBound ? 256 : 1024;
    int h = computeBound ? 64 : 512;
    // (id·D + b)·T·H + … < 2^24 keeps every value an exact float
    if (4L * depth * tokens * h >= 1 << 24) throw new IllegalStateException("values not exact");
    BlockMode[] plan = new BlockMode[depth];
    java.util.Arrays.fill(plan, BlockMode.CACHE);
    plan[2] = BlockMode.RECOMPUTE;
    Random rnd = new Random(11);
    List<int[]> tokenLists =
        List.of(
            subset(rnd, tokens, tokens / 2),
            subset(rnd, tokens, tokens / 5),
            subset(rnd, tokens, tokens / 3));
    dev.run(
        () -> {
          DeviceMirrors mem = new DeviceMirrors();
          DeviceRowStaging staging = new DeviceRowStaging(k, mem, 64L << 20);
          int g = 1536;
          BenchMemory scratch = new BenchMemory();
          CUdeviceptr ga = scratch.random((long) g * g);
          CUdeviceptr gw = scratch.random((long) g * g);
          CUdeviceptr gy = scratch.alloc((long) g * g);
          // step 0: templates 0 (kept in the device tier) and 1; step 1: 2 and 3; step 2: 0 and 1
          int[][] steps = {{0, 1}, {2, 3}, {0, 1}};
          Object[] keys = {"t0", null, "t2", null}; // templates 1 and 3: no device key
          for (int step = 0; step < steps.length; step++) {
            Rows a = new Rows(steps[step][0], depth, tokens, h);
            Rows c = new Rows(steps[step][1], depth, tokens, h);
            Object key = keys[a.id()];
            // sequences 0 and 2 read template a through two sources of one key (loaded once)
            List<BlockSource> sources =
                List.of(BlockSource.withDeviceKey(a, key), c, BlockSource.withDeviceKey(a, key));
            List<Rows> expected = List.of(a, c, a);
            List<FloatBuf> out = new ArrayList<>();
            for (int[] t : tokenLists) out.add(FloatBuf.allocate((long) depth * t.length * h));
            staging.begin(sources, tokenLists, plan, tokens, h);
            for (int b = 0; b < depth; b++) {
              if (computeBound)
                k.linear(null, GemmPrecision.FP32, gy, g, ga, g, gw, null, g, g, g, false);
              if (plan[b] != BlockMode.CACHE) continue;
              for (int i = 0; i < sources.size(); i++) {
                int[] t = tokenLists.get(i);
                staging.gather(sources.get(i), b, t, out.get(i), (long) b * t.length * h);
              }
              staging.blockDone(b);
            }
            staging.end();
            cuCtxSynchronize();
            for (int i = 0; i < sources.size(); i++) {
              check(
                  expected.get(i),
                  tokenLists.get(i),
                  plan,
                  out.get(i),
                  mem,
                  "step " + step + ", sequence " + i);
            }
            if (step == 2) {
              assertEquals(1, staging.tier().hits(), "template 0 came back from the device tier");
            }
          }
          assertEquals(2, staging.tier().admissions(), "templates 0 and 2 were kept");
          scratch.close();
          staging.close();
          mem.close();
        });
  }

  private static void check(
      Rows want, int[] tok, BlockMode[] plan, FloatBuf got, DeviceMirrors mem, String what) {
    int h = want.hidden();
    mem.download(got, 0, got.size());
    for (int b = 0; b < plan.length; b++) {
      if (plan[b] != BlockMode.CACHE) continue;
      for (int r = 0; r < tok.length; r++) {
        for (int j = 0; j < h; j++) {
          float g = got.get(((long) b * tok.length + r) * h + j);
          float e = want.at(b, tok[r], j);
          if (g != e) {
            throw new AssertionError(
                what
                    + ", block "
                    + b
                    + ", row "
                    + r
                    + " (token "
                    + tok[r]
                    + "), column "
                    + j
                    + ": expected "
                    + e
                    + " got "
                    + g
                    + describe(g, want));
          }
        }
      }
    }
  }

  /** Decodes a wrong value into the (template, block, token) it belongs to. */
  private static String describe(float v, Rows like) {
    long x = (long) v;
    int j = (int) (x % like.hidden());
    x /= like.hidden();
    int t = (int) (x % like.tokens());
    x /= like.tokens();
    int b = (int) (x % like.depth());
    return " = template " + x / like.depth() + ", block " + b + ", token " + t + ", column " + j;
  }

  private static int[] subset(Random rnd, int n, int count) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) all[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = all[i];
      all[i] = all[j];
      all[j] = tmp;
    }
    return java.util.Arrays.copyOf(all, count); // shuffled: rows out of token order
  }
}
