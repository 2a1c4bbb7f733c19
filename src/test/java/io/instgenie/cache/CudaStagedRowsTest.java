package io.instgenie.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.CudaBackend;
import io.instgenie.kernels.bench.EngineBench;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cuda.CudaProbe;
import io.instgenie.kernels.cuda.DeviceRowStaging;
import io.instgenie.kernels.cuda.GemmPrecision;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.ParityModels;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Prompts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The GPU cached-row path wired into the forward: a template's cache (recorded on the CPU, stored
 * F32) read through pinned host memory and gathered on the device, against the CPU backend; the
 * device tier; the device calibration. Models and FP32 tolerance of {@link ParityModels} (weights
 * that make the cached rows matter), as in CudaForwardParityTest. Skipped without a device.
 */
class CudaStagedRowsTest {

  @BeforeEach
  void device() {
    Assumptions.assumeTrue(CudaProbe.get().available(), CudaProbe.get() + " (GPU tests skipped)");
  }

  private static StoredActivations template(DitModel m, float[] x, float t) {
    ModelConfig c = m.config();
    int l = c.imageTokens();
    MemoryActivations acts = new MemoryActivations(c, 1);
    new DitForward(m, ParityModels.cpu())
        .run(
            List.of(
                Sequence.full(
                    t, Prompts.nullPrompt(c), x, l, new float[l * c.patchDim()], acts.sink(0))),
            null);
    return StoredActivations.copyOf(acts, ActivationShape.of(c, 1, Precision.F32));
  }

  @Test
  @DisplayName(
      "the masked forward with its cache in pinned memory equals the CPU backend, in every mode mix")
  void pinnedEqualsCpu() {
    ModelConfig c = Presets.byName("bench");
    DitModel m = ParityModels.of("bench", 7);
    float[] x = Noise.gaussian(3, c.imageTokens() * c.patchDim());
    StoredActivations acts = template(m, x, 0.55f);
    CudaBackend gpu = CudaBackend.open(GemmPrecision.FP32, 0); // no device tier: every block copied
    for (BlockMode[] plan : plans(c.depth())) {
      List<float[]> want = run(m, ParityModels.cpu(), plan, acts, x);
      List<float[]> got = run(m, gpu, plan, acts, x);
      for (int i = 0; i < want.size(); i++) {
        double d = maxAbs(want.get(i), got.get(i));
        double tol = ParityModels.fp32Tolerance(want.get(i));
        assertTrue(d <= tol, Arrays.toString(plan) + " sequence " + i + ": " + d + " > " + tol);
      }
    }
    assertTrue(gpu.rows().copiedBlocks() > 0, "blocks went through pinned memory");
    assertEquals(0, gpu.rows().deviceBlocks());
  }

  @Test
  @DisplayName(
      "a step in the device tier gives the same rows as through pinned memory, with no copy")
  void deviceTier() {
    ModelConfig c = Presets.byName("tiny");
    DitModel m = ParityModels.of("tiny", 7);
    float[] x = Noise.gaussian(4, c.imageTokens() * c.patchDim());
    StoredActivations acts = template(m, x, 0.5f);
    BlockMode[] all = plans(c.depth()).get(0);
    List<float[]> pinned = run(m, CudaBackend.open(GemmPrecision.FP32, 0), all, acts, x);
    CudaBackend gpu = CudaBackend.open(GemmPrecision.FP32, 64L << 20);
    DeviceRowStaging rows = gpu.rows();
    List<float[]> first = run(m, gpu, all, acts, x); // copies, and keeps the step
    long copied = rows.copiedBlocks();
    assertEquals(1, rows.tier().size(), "the sealed step is held");
    List<float[]> second = run(m, gpu, all, acts, x);
    assertEquals(copied, rows.copiedBlocks(), "nothing copied the second time");
    assertEquals(c.depth(), rows.deviceBlocks());
    for (int i = 0; i < pinned.size(); i++) {
      assertArrayEquals(pinned.get(i), first.get(i), "first run, sequence " + i);
      assertArrayEquals(pinned.get(i), second.get(i), "from the device tier, sequence " + i);
    }
  }

  @Test
  @DisplayName("the device calibration's fits (events, pinned copies) are finite and non-negative")
  void calibration() {
    ModelConfig c = Presets.byName("bench");
    CudaBackend gpu = CudaBackend.open();
    DitForward f = new DitForward(DitModel.random(c, 1), gpu);
    LinearFit compute = DeviceCalibration.compute(f, gpu, 2);
    LinearFit pcie = DeviceCalibration.pcie(gpu, c, 2);
    for (LinearFit fit : List.of(compute, pcie)) {
      assertTrue(Double.isFinite(fit.a()) && fit.a() >= 0, "intercept " + fit);
      assertTrue(Double.isFinite(fit.b()) && fit.b() >= 0, "slope " + fit);
    }
    assertTrue(pcie.b() > 0, "copies take longer with more bytes: " + pcie);
    System.out.println("device calibration: compute " + compute + ", pcie " + pcie);
  }

  private static List<BlockMode[]> plans(int depth) {
    BlockMode[] cache = new BlockMode[depth];
    Arrays.fill(cache, BlockMode.CACHE);
    BlockMode[] mixed = cache.clone();
    mixed[0] = BlockMode.RECOMPUTE;
    mixed[depth - 1] = BlockMode.RECOMPUTE;
    return List.of(cache, mixed);
  }

  /** Two masked sequences of the template (ratios 0.2 and 0.1) and one full sequence. */
  private static List<float[]> run(
      DitModel m, Backend be, BlockMode[] plan, StoredActivations acts, float[] x) {
    ModelConfig c = m.config();
    int l = c.imageTokens();
    int pd = c.patchDim();
    int[] ids = Prompts.encode(c, c.vocab().get(c.vocab().size() - 1));
    Random rnd = new Random(5);
    List<float[]> out = new ArrayList<>();
    List<Sequence> seqs = new ArrayList<>();
    for (int n : new int[] {Math.max(1, l / 5), Math.max(1, l / 10)}) {
      int[] a = EngineBench.randomTokens(rnd, n, l);
      float[] v = new float[a.length * pd];
      out.add(v);
      seqs.add(Sequence.masked(0.55f, ids, x, a, l, acts.source(0), v));
    }
    float[] v = new float[l * pd];
    out.add(v);
    seqs.add(Sequence.full(0.3f, ids, x, l, v, null));
    new DitForward(m, be).run(seqs, plan);
    return out;
  }

  private static double maxAbs(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    return d;
  }
}
