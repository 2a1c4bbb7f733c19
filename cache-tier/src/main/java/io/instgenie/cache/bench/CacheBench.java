package io.instgenie.cache.bench;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.Algorithm1;
import io.instgenie.cache.Calibration;
import io.instgenie.cache.CostModel;
import io.instgenie.cache.LinearFit;
import io.instgenie.cache.Precision;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.bench.EngineBench;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The cache benchmark (issue 4): latency of an edit step with the template's activations in memory
 * or on disk, for (a) load-then-compute, (b) the block pipeline with the cache everywhere and (c)
 * Algorithm 1's plan, from costs fitted by a calibration at the start of the run; beside them
 * compute-only (gathers straight from memory, nothing loaded) and load-only (reading the step's
 * segments). Each measurement times a run of consecutive denoising steps, as an edit takes them
 * (the pipeline reads a step's first block during the step before), from a cold start, and reports
 * the mean per step. The five measurements of a row are interleaved round by round, each on other
 * steps, so drift and a busy machine hit them alike; medians are reported.
 */
public final class CacheBench {
  public static final double[] RATIOS = {0.05, 0.1, 0.2, 0.4};
  public static final Set<TierKind> TIERS = Set.of(TierKind.MEMORY, TierKind.DISK);

  /**
   * What to run: timed rounds per row, batch sizes (a batch of n edits uses n distinct templates),
   * mask ratios, tiers, guidance branches per edit (they share one cache), the storage precision,
   * the cache folder (null: a temporary one), whether to drop the page cache before disk
   * measurements, the bandwidth in MB/s of the simulated remote tier ({@link ThrottledSource}),
   * what the templates cache (Y, or K/V: twice the bytes, less compute, a recompute prefix only),
   * and the consecutive steps each measurement runs.
   */
  public record Options(
      int reps,
      int[] batches,
      double[] ratios,
      Set<TierKind> tiers,
      int branches,
      Precision precision,
      Path dir,
      boolean dropCaches,
      double remoteMbps,
      CacheKind kind,
      int runSteps) {
    public Options {
      Objects.requireNonNull(kind, "kind");
      if (runSteps < 1)
        throw new IllegalArgumentException("run steps must be at least 1, got " + runSteps);
      tiers = Set.copyOf(tiers);
      if (tiers.isEmpty()) throw new IllegalArgumentException("name at least one tier");
      if (tiers.contains(TierKind.REMOTE) && !(remoteMbps > 0 && Double.isFinite(remoteMbps))) {
        throw new IllegalArgumentException(
            "the simulated remote tier needs a bandwidth > 0 MB/s, got " + remoteMbps);
      }
      if (ratios.length == 0 || Arrays.stream(ratios).anyMatch(r -> !(r > 0 && r < 1))) {
        throw new IllegalArgumentException(
            "mask ratios must be in (0, 1): " + Arrays.toString(ratios));
      }
      ratios = ratios.clone();
      if (reps < 1) throw new IllegalArgumentException("reps must be at least 1, got " + reps);
      if (batches.length == 0 || Arrays.stream(batches).anyMatch(b -> b < 1)) {
        throw new IllegalArgumentException(
            "batch sizes must be at least 1: " + Arrays.toString(batches));
      }
      if (branches != 1 && branches != 2)
        throw new IllegalArgumentException("branches must be 1 or 2, got " + branches);
      batches = batches.clone();
    }
  }

  /**
   * Medians in ms of one batch size, tier and mask ratio, with the plan and the cost model's
   * predictions; the two target ratios are medians over rounds of the ratio within each round
   * (paired, so a slow spell that spans a round cancels out): (c) / max(compute-only, load-only)
   * and (c) / min((a), (b)).
   */
  public record Row(
      double naiveMs,
      double pipelineMs,
      double alg1Ms,
      double computeOnlyMs,
      double loadOnlyMs,
      String plan,
      double naivePredMs,
      double pipelinePredMs,
      double alg1PredMs,
      double pipelineBubbleMs,
      double alg1BubbleMs,
      double alg1OverBound,
      double alg1OverBest) {}

  /** Rows per tier, then per mask ratio (as text, e.g. "0.2"). */
  public record BatchResult(int batch, Map<TierKind, Map<String, Row>> tiers) {}

  /** Everything the command prints. */
  public record Result(
      String backend,
      int tokens,
      int depth,
      int steps,
      int branches,
      int runSteps,
      Precision precision,
      CacheKind kind,
      long segmentBytes,
      long fileBytes,
      String diskReads,
      boolean coldDisk,
      double remoteMbps,
      LinearFit compute,
      Map<TierKind, LinearFit> load,
      List<BatchResult> batches) {}

  private enum Kind {
    COMPUTE_ONLY,
    LOAD_ONLY,
    NAIVE,
    PIPELINE,
    ALG1
  }

  private final DitForward forward;
  private final ModelConfig c;
  private final Options opt;
  private final PageCache pageCache;
  private final float[] x;
  private final int[] prompt;
  private final int stride;
  private int nextStep;

  public CacheBench(DitForward forward, Options options) {
    this.forward = forward;
    this.c = forward.config();
    this.opt = options;
    this.pageCache = new PageCache(options.dropCaches());
    if (c.defaultSteps() < 2)
      throw new IllegalArgumentException("the benchmark needs a model with at least 2 steps");
    if (options.runSteps() > c.defaultSteps() - 1)
      throw new IllegalArgumentException(
          "run steps must be below the model's "
              + c.defaultSteps()
              + " steps, got "
              + options.runSteps());
    this.x = Noise.gaussian(5, c.imageTokens() * c.patchDim());
    this.prompt = Prompts.encode(c, c.vocab().get(c.vocab().size() - 1));
    this.stride = stride(c.defaultSteps() - options.runSteps() + 1, options.runSteps());
  }

  public Result run() {
    ActivationShape shape = ActivationShape.of(c, c.defaultSteps(), opt.precision(), opt.kind());
    int most = Arrays.stream(opt.batches()).max().orElseThrow();
    try (BenchTemplates t = new BenchTemplates(shape, most, opt.dir(), 17)) {
      Readers steps =
          new Readers(
              t,
              shape,
              most,
              opt.tiers(),
              opt.remoteMbps(),
              opt.branches(),
              c.imageTokens() * c.patchDim());
      try {
        CostModel costs = calibrate(steps);
        List<BatchResult> out = new ArrayList<>();
        for (int batch : opt.batches()) {
          Map<TierKind, Map<String, Row>> tiers = new EnumMap<>(TierKind.class);
          for (TierKind tier : steps.tiers()) {
            Map<String, Row> rows = new LinkedHashMap<>();
            for (double r : opt.ratios())
              rows.put(String.valueOf(r), row(steps, costs, batch, tier, r));
            tiers.put(tier, rows);
          }
          out.add(new BatchResult(batch, tiers));
        }
        return new Result(
            forward.backend().name(),
            c.imageTokens(),
            c.depth(),
            shape.steps(),
            opt.branches(),
            opt.runSteps(),
            opt.precision(),
            opt.kind(),
            shape.segmentBytes(),
            t.fileBytes(),
            pageCache.describe(),
            pageCache.effective(),
            opt.remoteMbps(),
            costs.compute(),
            costs.load(),
            out);
      } finally {
        steps.close();
      }
    }
  }

  /**
   * The start-up calibration of the service: compute against FLOPs, then each tier's reads against
   * bytes.
   */
  private CostModel calibrate(Readers s) {
    Calibration.compute(
        forward, 1); // discarded: a first calibration in a fresh JVM times the JIT as well
    CostModel m = new CostModel(Calibration.compute(forward, opt.reps()), Map.of());
    for (TierKind tier : s.tiers()) {
      if (tier == TierKind.DISK) pageCache.drop();
      m = m.withLoad(tier, Calibration.load(s.source(tier, 0), opt.reps()));
    }
    return m;
  }

  private Row row(Readers s, CostModel model, int batch, TierKind tier, double ratio) {
    int masked = Math.max(1, (int) Math.round(ratio * c.imageTokens()));
    Random rnd = new Random(Double.hashCode(ratio) * 31L + batch);
    List<int[]> active = new ArrayList<>();
    for (int i = 0; i < batch; i++) active.add(randomTokens(rnd, masked));
    CostModel.Costs costs =
        model.costs(
            c,
            Collections.nCopies(
                batch,
                new CostModel.Entry(masked, opt.branches(), tier, opt.precision(), opt.kind())));
    Algorithm1.Plan plan = costs.plan();
    int n = Kind.values().length;
    double[][] ms = new double[n][opt.reps()];
    double[][] bubble = new double[n][opt.reps()];
    for (int round = 0; round <= opt.reps(); round++) { // round 0 warms up
      for (Kind kind : Kind.values()) {
        int k = nextStep;
        nextStep = (nextStep + stride) % (c.defaultSteps() - opt.runSteps() + 1);
        if (tier == TierKind.DISK) pageCache.settleAndDrop();
        long b0 = s.bubbleNanos(tier, batch);
        double t = measure(s, kind, tier, k, active, plan.modes());
        if (round > 0) {
          ms[kind.ordinal()][round - 1] = t;
          bubble[kind.ordinal()][round - 1] =
              (s.bubbleNanos(tier, batch) - b0) / 1e6 / opt.runSteps();
        }
      }
    }
    return summarise(ms, bubble, costs, plan);
  }

  private static Row summarise(
      double[][] ms, double[][] bubble, CostModel.Costs costs, Algorithm1.Plan plan) {
    BlockMode[] allCache = new BlockMode[costs.cw().length];
    Arrays.fill(allCache, BlockMode.CACHE);
    double[] naive = ms[Kind.NAIVE.ordinal()];
    double[] pipe = ms[Kind.PIPELINE.ordinal()];
    double[] alg1 = ms[Kind.ALG1.ordinal()];
    double[] compute = ms[Kind.COMPUTE_ONLY.ordinal()];
    double[] load = ms[Kind.LOAD_ONLY.ordinal()];
    double[] overBound = new double[alg1.length];
    double[] overBest = new double[alg1.length];
    for (int i = 0; i < alg1.length; i++) {
      overBound[i] = alg1[i] / Math.max(compute[i], load[i]);
      overBest[i] = alg1[i] / Math.min(naive[i], pipe[i]);
    }
    return new Row(
        median(naive),
        median(pipe),
        median(alg1),
        median(compute),
        median(load),
        planText(plan.modes()),
        Algorithm1.loadThenCompute(costs.cw(), costs.ld()),
        Algorithm1.latency(allCache, costs.cw(), costs.cf(), costs.ld()),
        plan.latency(),
        median(bubble[Kind.PIPELINE.ordinal()]),
        median(bubble[Kind.ALG1.ordinal()]),
        median(overBound),
        median(overBest));
  }

  /**
   * One timed run of the batch over the consecutive steps from k: from asking for the first step's
   * cache to the last forward's end, in ms per step. The pipelines start cold (nothing read ahead).
   */
  private double measure(
      Readers s, Kind kind, TierKind tier, int k, List<int[]> active, BlockMode[] plan) {
    int batch = active.size();
    if (kind == Kind.PIPELINE || kind == Kind.ALG1) {
      for (int i = 0; i < batch; i++) s.pipe(tier, i).setPlan(kind == Kind.ALG1 ? plan : null);
    }
    long t0 = System.nanoTime();
    for (int step = k; step < k + opt.runSteps(); step++) {
      List<Sequence> seqs = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        int template = i;
        int at = step;
        Supplier<BlockSource> src =
            switch (kind) {
              case COMPUTE_ONLY -> once(s.templates().inMemory(i).source(step));
              case LOAD_ONLY, NAIVE -> once(s.loaded(i).load(s.source(tier, i), step, null));
              // each branch asks for the step, as an edit's job does: the loader frees a block's
              // buffer once both have gathered it
              case PIPELINE, ALG1 -> () -> s.pipe(tier, template).source(at);
            };
        if (kind != Kind.LOAD_ONLY) addSequences(seqs, active.get(i), src, s.velocity(i));
      }
      if (kind != Kind.LOAD_ONLY) forward.run(seqs, kind == Kind.ALG1 ? plan : null);
    }
    double ms = (System.nanoTime() - t0) / 1e6 / opt.runSteps();
    if (kind == Kind.PIPELINE || kind == Kind.ALG1) {
      // untimed: the read ahead of the step after the run must not spill into the next measurement,
      // and the next run of these pipes starts cold
      for (int i = 0; i < batch; i++) s.pipe(tier, i).rewind();
    }
    return ms;
  }

  private static Supplier<BlockSource> once(BlockSource src) {
    return () -> src;
  }

  /** The edit's guidance branches on the template's cache: the prompt, then the null prompt. */
  private void addSequences(
      List<Sequence> seqs, int[] active, Supplier<BlockSource> src, float[][] velocity) {
    for (int b = 0; b < opt.branches(); b++) {
      int[] ids = b == 0 ? prompt : Prompts.nullPrompt(c);
      seqs.add(Sequence.masked(0.5f, ids, x, active, c.imageTokens(), src.get(), velocity[b]));
    }
  }

  private int[] randomTokens(Random rnd, int n) {
    return EngineBench.randomTokens(rnd, n, c.imageTokens());
  }

  /**
   * The run after the one from step k starts at k + stride (modulo the {@code starts} possible
   * starts): past the run's own steps and the one after them where the starts allow, so the
   * kernel's readahead past one measurement's steps does not hold the next one's data; coprime with
   * {@code starts}, so every start comes round.
   */
  static int stride(int starts, int runSteps) {
    for (int s = Math.max(3, runSteps + 2); s < starts; s++)
      if (BigInteger.valueOf(s).gcd(BigInteger.valueOf(starts)).intValue() == 1) return s;
    return 1;
  }

  private static String planText(BlockMode[] modes) {
    StringBuilder sb = new StringBuilder();
    for (BlockMode m : modes) sb.append(m == BlockMode.CACHE ? 'C' : 'R');
    return sb.toString();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
