package io.instgenie.kernels.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.backend.ReferenceBackend;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Prompts;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DitForwardTest {
  private static final ModelConfig C = Presets.tiny();
  private static final DitModel MODEL = DitModel.random(C, 7);
  private static final int L = C.imageTokens();
  private static final int PD = C.patchDim();

  private static float[] input(long seed) {
    return Noise.gaussian(seed, L * PD);
  }

  private static float[] full(Backend be, float t, int[] ids, float[] x) {
    float[] v = new float[L * PD];
    new DitForward(MODEL, be).run(List.of(Sequence.full(t, ids, x, L, v, null)), null);
    return v;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length, "lengths");
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }

  private static int[] ids(String prompt) {
    return Prompts.encode(C, prompt);
  }

  @Test
  @DisplayName(
      "kept modulation sets: a t seen again, after more t than are kept, and a batch of more"
          + " distinct t than are kept give a fresh forward's bits")
  void keptModulationSets() {
    float[] x = input(3);
    int[] p = ids("a red circle");
    DitForward f = new DitForward(MODEL, new CpuBackend());
    int n = Conditioning.KEPT + 6;
    List<Sequence> batch = new ArrayList<>();
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[L * PD];
      out.add(v);
      batch.add(Sequence.full(0.01f + i / (float) n, p, x, L, v, null));
    }
    float[] first = new float[L * PD];
    f.run(List.of(Sequence.full(0.3f, p, x, L, first, null)), null);
    f.run(batch, null); // more distinct t than kept: the slots grow, every set computed
    List<Sequence> fresh = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[L * PD];
      expected.add(v);
      fresh.add(Sequence.full(0.01f + i / (float) n, p, x, L, v, null));
    }
    new DitForward(MODEL, new CpuBackend()).run(fresh, null);
    for (int i = 0; i < n; i++)
      assertEquals(0, maxAbsDiff(expected.get(i), out.get(i)), "row " + i);
    float[] again = new float[L * PD];
    f.run(List.of(Sequence.full(0.3f, p, x, L, again, null)), null);
    assertEquals(0, maxAbsDiff(first, again));
    for (int i = 0; i < 3 * n; i++) { // one t at a time: every slot turns over
      float t = 0.5f + i / (float) (6 * n);
      float[] v = new float[L * PD];
      f.run(List.of(Sequence.full(t, p, x, L, v, null)), null);
      if (i % 17 == 0) assertEquals(0, maxAbsDiff(full(new CpuBackend(), t, p, x), v), "t " + t);
    }
    f.run(List.of(Sequence.full(0.3f, p, x, L, again, null)), null);
    assertEquals(0, maxAbsDiff(first, again), "t 0.3 once its set was evicted");
  }

  @Test
  @DisplayName(
      "a modulation set whose computation fails leaves no other noise level pointing at its slot")
  void failedModulationSetForgetsTheKeptOnes() {
    boolean[] fail = {false};
    Backend cpu = new CpuBackend();
    Backend failing =
        (Backend)
            Proxy.newProxyInstance(
                Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                  if (fail[0] && method.getName().equals("linear"))
                    throw new IllegalStateException("device error (simulated)");
                  try {
                    return method.invoke(cpu, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    float[] x = input(4);
    int[] p = ids("a red circle");
    DitForward f = new DitForward(MODEL, failing);
    int n = Conditioning.KEPT;
    float[] last = new float[L * PD];
    for (int i = 0; i < n; i++) { // every slot taken, the last t most recent
      f.run(List.of(Sequence.full(0.01f + i / 100f, p, x, L, last, null)), null);
    }
    fail[0] = true;
    float[] v = new float[L * PD];
    assertThrows(
        IllegalStateException.class,
        () -> f.run(List.of(Sequence.full(0.9f, p, x, L, v, null)), null));
    fail[0] = false;
    f.run(List.of(Sequence.full(0.95f, p, x, L, v, null)), null);
    assertEquals(0, maxAbsDiff(full(new CpuBackend(), 0.95f, p, x), v));
    float tLast = 0.01f + (n - 1) / 100f;
    f.run(List.of(Sequence.full(tLast, p, x, L, v, null)), null);
    assertEquals(0, maxAbsDiff(full(new CpuBackend(), tLast, p, x), v), "t " + tLast);
  }

  @Test
  @DisplayName("the CPU backend's full forward equals the reference backend's within 1e-4")
  void cpuMatchesReference() {
    float[] x = input(1);
    double d =
        maxAbsDiff(
            full(new ReferenceBackend(), 0.7f, ids("a red circle"), x),
            full(new CpuBackend(), 0.7f, ids("a red circle"), x));
    assertTrue(d <= 1e-4, "max abs diff " + d);
  }

  @Test
  @DisplayName("the masked forward with every token masked equals the full forward (≤ 1e-5)")
  void allMaskedEqualsFull() {
    float[] x = input(2);
    int[] all = new int[L];
    for (int i = 0; i < L; i++) all[i] = i;
    float[] expected = full(new CpuBackend(), 0.4f, ids("blue square"), x);
    float[] v = new float[L * PD];
    MemoryActivations unused = new MemoryActivations(C, 1);
    new DitForward(MODEL, new CpuBackend())
        .run(
            List.of(Sequence.masked(0.4f, ids("blue square"), x, all, L, unused.source(0), v)),
            null);
    double d = maxAbsDiff(expected, v);
    assertTrue(d <= 1e-5, "max abs diff " + d);
  }

  @Test
  @DisplayName(
      "fed its own template run's cache on the same inputs, the masked forward equals the full forward (≤ 1e-4), in every block mode mix")
  void cachedEqualsFull() {
    float[] x = input(3);
    int[] nullIds = Prompts.nullPrompt(C);
    float t = 0.55f;
    MemoryActivations acts = new MemoryActivations(C, 1);
    float[] fullV = new float[L * PD];
    new DitForward(MODEL, new CpuBackend())
        .run(List.of(Sequence.full(t, nullIds, x, L, fullV, acts.sink(0))), null);
    int[] active = {1, 2, 5, 11, 14};
    BlockMode[][] plans = {
      {BlockMode.CACHE, BlockMode.CACHE},
      {BlockMode.RECOMPUTE, BlockMode.CACHE},
      {BlockMode.CACHE, BlockMode.RECOMPUTE},
      {BlockMode.RECOMPUTE, BlockMode.RECOMPUTE}
    };
    for (Backend be : new Backend[] {new CpuBackend(), new ReferenceBackend()}) {
      for (BlockMode[] plan : plans) {
        float[] v = new float[active.length * PD];
        new DitForward(MODEL, be)
            .run(List.of(Sequence.masked(t, nullIds, x, active, L, acts.source(0), v)), plan);
        float[] expected = new float[active.length * PD];
        for (int i = 0; i < active.length; i++)
          System.arraycopy(fullV, active[i] * PD, expected, i * PD, PD);
        double d = maxAbsDiff(expected, v);
        assertTrue(d <= 1e-4, be.name() + " " + Arrays.toString(plan) + ": max abs diff " + d);
      }
    }
  }

  @Test
  @DisplayName(
      "a packed batch of full, masked and template-run sequences equals each run alone (≤ 1e-5)")
  void batchEqualsAlone() {
    float[] x1 = input(4);
    float[] x2 = input(5);
    float[] x3 = input(6);
    MemoryActivations acts = new MemoryActivations(C, 1);
    new DitForward(MODEL, new CpuBackend())
        .run(List.of(Sequence.full(0.9f, Prompts.nullPrompt(C), x3, L, null, acts.sink(0))), null);
    int[] active = {0, 3, 4, 9};
    List<float[]> alone = new ArrayList<>();
    List<Sequence> batch = new ArrayList<>();
    List<float[]> batched = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      float[] va = new float[L * PD];
      float[] vb = new float[L * PD];
      Sequence a =
          Sequence.full(
              0.3f + r * 0.2f, ids(r == 0 ? "green star" : "small ring"), x1, L, va, null);
      new DitForward(MODEL, new CpuBackend()).run(List.of(a), null);
      alone.add(va);
      batch.add(
          Sequence.full(
              0.3f + r * 0.2f, ids(r == 0 ? "green star" : "small ring"), x1, L, vb, null));
      batched.add(vb);
    }
    float[] vm = new float[active.length * PD];
    float[] vmb = new float[active.length * PD];
    new DitForward(MODEL, new CpuBackend())
        .run(List.of(Sequence.masked(0.9f, ids("red"), x2, active, L, acts.source(0), vm)), null);
    batch.add(1, Sequence.masked(0.9f, ids("red"), x2, active, L, acts.source(0), vmb));
    new DitForward(MODEL, new CpuBackend()).run(batch, null);
    for (int r = 0; r < 2; r++) {
      double d = maxAbsDiff(alone.get(r), batched.get(r));
      assertTrue(d <= 1e-5, "full sequence " + r + ": max abs diff " + d);
    }
    double d = maxAbsDiff(vm, vmb);
    assertTrue(d <= 1e-5, "masked sequence: max abs diff " + d);
  }
}
