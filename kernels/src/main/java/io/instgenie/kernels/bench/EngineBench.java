package io.instgenie.kernels.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import io.instgenie.kernels.backend.TimedBackend;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The engine benchmark: median step latency of the full and the masked forward (batch 1 and 8), in
 * cache-Y and (optionally) cache-K/V mode, the speedup the FLOP count predicts for each, and
 * OpenBLAS sgemm GFLOP/s on the model's own shapes, all measured in one run so the figures are
 * comparable as ratios.
 */
public final class EngineBench {
  public static final double[] RATIOS = {0.05, 0.1, 0.2, 0.4, 1.0};

  /**
   * Latencies of one batch size; the K/V maps are empty when K/V rows were not asked for. Speedups
   * are the full step over the masked step; {@code kvOverY} is the median over the repetitions of
   * the Y step over the K/V step that ran right after it.
   */
  public record BatchResult(
      int batch,
      double fullStepMs,
      Map<String, Double> maskedStepMs,
      Map<String, Double> measuredSpeedup,
      Map<String, Double> kvMaskedStepMs,
      Map<String, Double> kvMeasuredSpeedup,
      Map<String, Double> kvOverY) {}

  /** Everything the command prints; {@code kvFlopSpeedup} is empty without K/V rows. */
  public record Result(
      int tokens,
      String backend,
      double sgemmGflops,
      double fullGflops,
      Map<String, Double> flopSpeedup,
      Map<String, Double> kvFlopSpeedup,
      List<BatchResult> batches) {}

  private final DitForward forward;
  private final ModelConfig c;
  private final int reps;
  private final boolean kv;

  /** Cache-Y rows only. */
  public EngineBench(DitForward forward, int reps) {
    this(forward, reps, false);
  }

  /** With {@code kv}, each masked case runs in cache-K/V mode too. */
  public EngineBench(DitForward forward, int reps, boolean kv) {
    this.forward = forward;
    this.c = forward.config();
    this.reps = reps;
    this.kv = kv;
  }

  public Result run(int[] batches) {
    Fixture f = fixture();
    float[] template = f.template();
    MemoryActivations acts = f.y();
    MemoryActivations kvActs = f.kv();
    int[] prompt = f.prompt();
    Map<String, Double> flops = new LinkedHashMap<>();
    Map<String, Double> kvFlops = new LinkedHashMap<>();
    for (double r : RATIOS) {
      flops.put(key(r), FlopModel.full(c) / FlopModel.sequence(c, masked(r), BlockMode.CACHE));
      if (kv) {
        kvFlops.put(
            key(r),
            FlopModel.full(c) / FlopModel.sequence(c, masked(r), BlockMode.CACHE, CacheKind.KV));
      }
    }
    double sgemmBefore = sgemmGflops();
    List<BatchResult> out = new ArrayList<>();
    double fullGflops = 0;
    for (int b : batches) {
      double full = median(() -> forward.run(fullBatch(b, template, prompt), null));
      if (b == 1) fullGflops = FlopModel.full(c) / (full * 1e6);
      Map<String, Double> ms = new LinkedHashMap<>();
      Map<String, Double> speed = new LinkedHashMap<>();
      Map<String, Double> kvMs = new LinkedHashMap<>();
      Map<String, Double> kvSpeed = new LinkedHashMap<>();
      Map<String, Double> kvOverY = new LinkedHashMap<>();
      for (double r : RATIOS) {
        List<Sequence> seqs = maskedBatch(b, r, template, prompt, acts);
        if (!kv) {
          double m = median(() -> forward.run(seqs, null));
          ms.put(key(r), m);
          speed.put(key(r), full / m);
          continue;
        }
        // Y and K/V alternate, so a slow moment of the machine hits both modes alike
        List<Sequence> kvSeqs = maskedBatch(b, r, template, prompt, kvActs);
        Paired p = paired(() -> forward.run(seqs, null), () -> forward.run(kvSeqs, null));
        ms.put(key(r), p.first());
        speed.put(key(r), full / p.first());
        kvMs.put(key(r), p.second());
        kvSpeed.put(key(r), full / p.second());
        kvOverY.put(key(r), p.ratio());
      }
      out.add(new BatchResult(b, full, ms, speed, kvMs, kvSpeed, kvOverY));
    }
    // the ceiling the full forward is compared with: the better of a measurement before and one
    // after the forwards, so that one slow moment of sgemm cannot flatter the ratio
    double sgemm = Math.max(sgemmBefore, sgemmGflops());
    return new Result(
        c.imageTokens(), forward.backend().name(), sgemm, fullGflops, flops, kvFlops, out);
  }

  /**
   * One profiled case: mean step time and the mean time per step of each kind of kernel (the rest
   * of the step is the forward's own work: layout, gathers, embeddings, conditioning).
   */
  public record ProfileRow(
      int batch, String cache, String ratio, double stepMs, Map<TimedBackend.Op, Double> opMs) {}

  /**
   * Where the time of the full step and of the masked step at {@code ratio} goes, per batch size
   * (cache Y, and K/V when asked for). Needs a forward over a {@link TimedBackend}.
   */
  public List<ProfileRow> profile(int[] batches, double ratio) {
    if (!(forward.backend() instanceof TimedBackend timed)) {
      throw new IllegalStateException("profiling needs a forward over a TimedBackend");
    }
    Fixture f = fixture();
    List<ProfileRow> rows = new ArrayList<>();
    for (int b : batches) {
      rows.add(profiled(timed, b, "-", "full", fullBatch(b, f.template(), f.prompt())));
      String r = key(ratio);
      rows.add(profiled(timed, b, "y", r, maskedBatch(b, ratio, f.template(), f.prompt(), f.y())));
      if (kv)
        rows.add(
            profiled(timed, b, "kv", r, maskedBatch(b, ratio, f.template(), f.prompt(), f.kv())));
    }
    return rows;
  }

  /** What both runs measure with: a template, its runs' cached activations, a prompt. */
  private record Fixture(
      float[] template, int[] prompt, MemoryActivations y, MemoryActivations kv) {}

  /** The template's run caching Y, and K/V when asked for (else null). */
  private Fixture fixture() {
    float[] template = Noise.gaussian(11, c.imageTokens() * c.patchDim());
    int[] prompt = Prompts.encode(c, c.vocab().get(c.vocab().size() - 1));
    return new Fixture(
        template,
        prompt,
        templateRun(template, CacheKind.Y),
        kv ? templateRun(template, CacheKind.KV) : null);
  }

  private ProfileRow profiled(
      TimedBackend timed, int b, String cache, String ratio, List<Sequence> seqs) {
    forward.run(seqs, null);
    timed.reset();
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) forward.run(seqs, null);
    double stepMs = (System.nanoTime() - t0) / 1e6 / reps;
    Map<TimedBackend.Op, Double> ms = new EnumMap<>(TimedBackend.Op.class);
    timed.nanos().forEach((op, ns) -> ms.put(op, ns / 1e6 / reps));
    return new ProfileRow(b, cache, ratio, stepMs, ms);
  }

  private MemoryActivations templateRun(float[] template, CacheKind kind) {
    MemoryActivations acts = new MemoryActivations(c, 1, kind);
    forward.run(
        List.of(
            Sequence.full(
                0.5f, Prompts.nullPrompt(c), template, c.imageTokens(), null, acts.sink(0))),
        null);
    return acts;
  }

  private int masked(double ratio) {
    return (int) Math.round(ratio * c.imageTokens());
  }

  private static String key(double r) {
    return String.valueOf(r);
  }

  private List<Sequence> fullBatch(int b, float[] x, int[] prompt) {
    List<Sequence> seqs = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      seqs.add(
          Sequence.full(
              0.5f, prompt, x, c.imageTokens(), new float[c.imageTokens() * c.patchDim()], null));
    }
    return seqs;
  }

  private List<Sequence> maskedBatch(
      int b, double ratio, float[] x, int[] prompt, MemoryActivations acts) {
    List<Sequence> seqs = new ArrayList<>();
    Random rnd = new Random(Double.hashCode(ratio) * 31L + b);
    for (int i = 0; i < b; i++) {
      int[] active = randomTokens(rnd, masked(ratio));
      seqs.add(
          Sequence.masked(
              0.5f,
              prompt,
              x,
              active,
              c.imageTokens(),
              acts.source(0),
              new float[active.length * c.patchDim()]));
    }
    return seqs;
  }

  private int[] randomTokens(Random rnd, int n) {
    return randomTokens(rnd, n, c.imageTokens());
  }

  /**
   * {@code n} distinct token indices below {@code tokens}, drawn uniformly, sorted (a random mask).
   */
  public static int[] randomTokens(Random rnd, int n, int tokens) {
    int[] all = new int[tokens];
    for (int i = 0; i < all.length; i++) all[i] = i;
    for (int i = 0; i < n; i++) {
      int j = i + rnd.nextInt(all.length - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] out = Arrays.copyOf(all, n);
    Arrays.sort(out);
    return out;
  }

  /** Medians of two alternated cases in ms, and the median of first over second per repetition. */
  private record Paired(double first, double second, double ratio) {}

  /** Runs {@code a} then {@code b}, {@code reps} times after one warm-up of each. */
  private Paired paired(Runnable a, Runnable b) {
    a.run();
    b.run();
    double[] ta = new double[reps];
    double[] tb = new double[reps];
    double[] ratio = new double[reps];
    for (int i = 0; i < reps; i++) {
      ta[i] = timed(a);
      tb[i] = timed(b);
      ratio[i] = ta[i] / tb[i];
    }
    return new Paired(middle(ta), middle(tb), middle(ratio));
  }

  private static double timed(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1e6;
  }

  private static double middle(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  /** Median wall time in ms over {@code reps} runs after one warm-up run. */
  private double median(Runnable r) {
    r.run();
    double[] t = new double[reps];
    for (int i = 0; i < reps; i++) t[i] = timed(r);
    return middle(t);
  }

  /**
   * sgemm GFLOP/s over one block's four linear shapes at the full sequence length (median of reps).
   */
  private double sgemmGflops() {
    int n = c.sequenceLength();
    int h = c.hiddenSize();
    int h4 = c.mlpRatio() * h;
    int[][] shapes = {{n, 3 * h, h}, {n, h, h}, {n, h4, h}, {n, h, h4}};
    FloatBuf a = FloatBuf.allocate((long) n * h4);
    FloatBuf w = FloatBuf.allocate((long) h4 * h);
    FloatBuf y = FloatBuf.allocate((long) n * h4);
    double flops = 0;
    for (int[] s : shapes) flops += 2.0 * s[0] * s[1] * s[2];
    // OpenBLAS at its own best: all cores, its own threading (the backend runs it single-threaded
    // per call)
    blas_set_num_threads(Runtime.getRuntime().availableProcessors());
    double ms =
        median(
            () -> {
              for (int[] s : shapes) {
                cblas_sgemm(
                    CblasRowMajor,
                    CblasNoTrans,
                    CblasTrans,
                    s[0],
                    s[1],
                    s[2],
                    1f,
                    a.pointer(0),
                    s[2],
                    w.pointer(0),
                    s[2],
                    0f,
                    y.pointer(0),
                    s[1]);
              }
            });
    blas_set_num_threads(1);
    return flops / (ms * 1e6);
  }
}
