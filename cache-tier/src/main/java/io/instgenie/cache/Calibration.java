package io.instgenie.cache;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The short start-up calibration behind {@link CostModel}, in milliseconds: the masked forward
 * timed at several mask ratios (compute per block against its FLOPs), and groups of segment reads
 * timed per tier (load against bytes). It measures what the machine gives at that moment: a disk
 * file in the page cache reads at memory speed.
 */
public final class Calibration {
  private static final double[] MASK_RATIOS = {0.05, 0.1, 0.2, 0.4, 0.7, 1.0};

  /** How long the compute sweep runs untimed before it is timed. */
  private static final long WARM_NS = 300_000_000L;

  /** At most this many untimed sweeps (a tiny model's sweep takes well under a millisecond). */
  private static final int WARM_SWEEPS = 50;

  private Calibration() {}

  /** How long one run takes, in milliseconds: wall time here, CUDA events on the GPU path. */
  @FunctionalInterface
  public interface Timer {
    double ms(Runnable run);
  }

  /** Wall time of one run. */
  public static double wallMs(Runnable run) {
    long t0 = System.nanoTime();
    run.run();
    return (System.nanoTime() - t0) / 1e6;
  }

  /**
   * Compute time per block against {@link FlopModel#block} FLOPs; the median of {@code reps} runs
   * per point.
   */
  public static LinearFit compute(DitForward forward, int reps) {
    return compute(forward, reps, Calibration::wallMs);
  }

  /**
   * As above, each forward timed by {@code timer}. The zero cache carries a device key, so a GPU
   * backend holds it in device memory after the warm-up: Cw is compute only, loads are Ld's.
   */
  public static LinearFit compute(DitForward forward, int reps, Timer timer) {
    ModelConfig c = forward.config();
    int l = c.imageTokens();
    int n = c.sequenceLength();
    float[] x = Noise.gaussian(1, l * c.patchDim());
    MemoryActivations zeros = new MemoryActivations(c, 1); // values do not change the time
    // a device key (ignored by host backends) lets a GPU keep these rows resident
    BlockSource cache = BlockSource.withDeviceKey(zeros.source(0), new Object());
    int[] ids = Prompts.nullPrompt(c);
    double[] flops = new double[MASK_RATIOS.length];
    double[] ms = new double[MASK_RATIOS.length];
    List<List<Sequence>> runs = new ArrayList<>();
    for (int i = 0; i < MASK_RATIOS.length; i++) {
      int m = Math.max(1, (int) Math.round(MASK_RATIOS[i] * l));
      int[] masked = new int[m];
      for (int j = 0; j < m; j++) masked[j] = (int) ((long) j * l / m);
      float[] v = new float[m * c.patchDim()];
      runs.add(List.of(Sequence.masked(0.5f, ids, x, masked, l, cache, v)));
      flops[i] = FlopModel.block(c, c.promptTokens() + m, n);
    }
    BlockMode[] modes = new BlockMode[c.depth()];
    Arrays.fill(modes, BlockMode.CACHE);
    warm(forward, runs, modes);
    for (int i = 0; i < runs.size(); i++) {
      List<Sequence> seqs = runs.get(i);
      // the whole forward, charged to its blocks: embedding and final layer fold into the line
      ms[i] = median(reps, timer, () -> forward.run(seqs, modes)) / c.depth();
    }
    return LinearFit.ofTimes(flops, ms);
  }

  /**
   * Load time against bytes for one tier: groups of 1 to 4 whole-segment reads from {@code src}
   * (its steps and blocks in turn), so the line predicts one segment at x = its bytes.
   */
  public static LinearFit load(SegmentSource src, int reps) {
    ActivationShape s = src.shape();
    ByteBuffer buf = DirectIo.segmentBuffer(s.segmentBytes());
    int groups = Math.min(4, s.segments());
    double[] bytes = new double[groups];
    double[] ms = new double[groups];
    int[] next = {0};
    for (int g = 1; g <= groups; g++) {
      int count = g;
      bytes[g - 1] = (double) count * s.segmentBytes();
      ms[g - 1] =
          median(
              reps,
              Calibration::wallMs,
              () -> {
                for (int i = 0; i < count; i++) {
                  int at = next[0]++ % s.segments();
                  src.read(at / s.depth(), at % s.depth(), buf);
                }
              });
    }
    return groups >= 2 ? LinearFit.ofTimes(bytes, ms) : new LinearFit(0, ms[0] / bytes[0], 0, 1);
  }

  /** Compute plus one load fit per given tier. */
  public static CostModel calibrate(
      DitForward forward, Map<TierKind, SegmentSource> sources, int reps) {
    CostModel m = new CostModel(compute(forward, reps), Map.of());
    for (Map.Entry<TierKind, SegmentSource> e : sources.entrySet())
      m = m.withLoad(e.getKey(), load(e.getValue(), reps));
    return m;
  }

  /**
   * Runs the sweep untimed for {@link #WARM_NS} (at most {@link #WARM_SWEEPS} times, at least
   * once), so that the timed runs meet compiled code: a sweep timed cold on a small model measured
   * the JIT, not the FLOPs (fits with R² near 0 — a flat line, or a fixed part of 3 ms per block
   * where the warm one is 0.1 ms — that switched step-row budgets and Algorithm 1's choices by
   * chance).
   */
  private static void warm(DitForward forward, List<List<Sequence>> runs, BlockMode[] modes) {
    long until = System.nanoTime() + WARM_NS;
    int sweeps = 0;
    do {
      for (List<Sequence> seqs : runs) forward.run(seqs, modes);
      sweeps++;
    } while (sweeps < WARM_SWEEPS && System.nanoTime() < until);
  }

  /** Median time in ms of {@code reps} runs after one warm-up run. */
  private static double median(int reps, Timer timer, Runnable r) {
    r.run();
    double[] t = new double[Math.max(1, reps)];
    for (int i = 0; i < t.length; i++) t[i] = timer.ms(r);
    Arrays.sort(t);
    return t[t.length / 2];
  }
}
