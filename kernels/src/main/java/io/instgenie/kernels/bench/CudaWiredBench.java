package io.instgenie.kernels.bench;

import io.instgenie.kernels.backend.CudaBackend;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cuda.CudaProbe;
import io.instgenie.kernels.cuda.GemmPrecision;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Prompts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Pipeline bubbles of the wired GPU path: one masked step of the real forward (batch 8, ratio 0.2,
 * a template each) with every cache in the device tier (no copy), in pinned host memory copied per
 * block on the copy stream, and the full recompute. Bubble = pinned − device. Usage: {@code
 * CudaWiredBench [--preset bench] [--json FILE]}.
 */
public final class CudaWiredBench {
  private static final int BATCH = 8;
  private static final double RATIO = 0.2;
  private static final int REPS = 7;

  private CudaWiredBench() {}

  public static void main(String[] args) throws IOException {
    String preset = "bench";
    Path json = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--preset")) preset = args[++i];
      else if (args[i].equals("--json")) json = Path.of(args[++i]);
    }
    CudaProbe p = CudaProbe.get();
    if (!p.available()) {
      System.err.println("no CUDA device: " + p.reason());
      System.exit(2);
    }
    ModelConfig c = Presets.byName(preset);
    DitModel m = DitModel.random(c, 1);
    GemmPrecision prec = GemmPrecision.configured();
    BlockMode[] cache = new BlockMode[c.depth()];
    Arrays.fill(cache, BlockMode.CACHE);
    BlockMode[] none = new BlockMode[c.depth()];
    Arrays.fill(none, BlockMode.RECOMPUTE);
    double device;
    double pinned;
    double full;
    try (CudaBackend be = CudaBackend.open(prec, 16L << 30)) {
      prec = be.precision(); // FP32 where the loaded PTX has no tensor-core GEMMs
      device = stepMs(m, be, cache);
    }
    try (CudaBackend be = CudaBackend.open(prec, 0)) {
      pinned = stepMs(m, be, cache);
      full = stepMs(m, be, none);
    }
    double bubble = Math.max(0, pinned - device);
    String out =
        String.format(
            Locale.ROOT,
            "{\"preset\":\"%s\",\"precision\":\"%s\",\"batch\":%d,\"mask_ratio\":%.2f,"
                + "\"masked_step_ms_device_tier\":%.3f,\"masked_step_ms_pinned_pipelined\":%.3f,"
                + "\"full_step_ms\":%.3f,\"bubble_ms\":%.3f,\"bubble_pct\":%.2f}",
            preset,
            prec,
            BATCH,
            RATIO,
            device,
            pinned,
            full,
            bubble,
            100 * bubble / device);
    System.out.printf(
        Locale.ROOT,
        "wired path, %s, batch %d, m=%.1f: device tier %.3f ms, pinned+pipelined %.3f ms,"
            + " full %.3f ms; bubble %.3f ms (%.1f%%)%n",
        preset,
        BATCH,
        RATIO,
        device,
        pinned,
        full,
        bubble,
        100 * bubble / device);
    if (json != null) Files.writeString(json, out + "\n");
  }

  /** Median wall time of a step (it ends with the velocity download, so the device is done). */
  private static double stepMs(DitModel m, CudaBackend be, BlockMode[] plan) {
    ModelConfig c = m.config();
    int l = c.imageTokens();
    int pd = c.patchDim();
    DitForward f = new DitForward(m, be);
    Random rnd = new Random(1);
    float[] x = Noise.gaussian(1, l * pd);
    int[] ids = Prompts.nullPrompt(c);
    List<Sequence> seqs = new ArrayList<>();
    for (int s = 0; s < BATCH; s++) {
      MemoryActivations acts = new MemoryActivations(c, 1); // values do not change the time
      BlockSource keyed = BlockSource.withDeviceKey(acts.source(0), new Object());
      int[] a = EngineBench.randomTokens(rnd, (int) Math.round(RATIO * l), l);
      seqs.add(Sequence.masked(0.5f, ids, x, a, l, keyed, new float[a.length * pd]));
    }
    for (int i = 0; i < 2; i++) f.run(seqs, plan); // warm-up; fills the device tier when it has one
    double[] t = new double[REPS];
    for (int i = 0; i < REPS; i++) {
      long t0 = System.nanoTime();
      f.run(seqs, plan);
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(t);
    return t[REPS / 2];
  }
}
