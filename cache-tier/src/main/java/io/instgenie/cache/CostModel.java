package io.instgenie.cache;

import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.model.ModelConfig;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Per-block costs for {@link Algorithm1} from linear fits (DESIGN.md): compute time against FLOPs
 * ({@link FlopModel#block}), load time against bytes, one fit per tier. Units are whatever the fits
 * were made in (the calibration uses milliseconds).
 */
public record CostModel(LinearFit compute, Map<TierKind, LinearFit> load) {

  public CostModel {
    Objects.requireNonNull(compute, "compute");
    load = Map.copyOf(load);
  }

  /**
   * One template's evaluations in a step's batch: its masked tokens, its guidance branches (1 or 2;
   * they share one load), where its cache is read from (null: no cache, every token computed, as
   * for a template run), and the precision it is stored in.
   */
  public record Entry(int maskedTokens, int branches, TierKind tier, Precision precision) {
    public Entry {
      if (maskedTokens < 0) throw new IllegalArgumentException("masked tokens must be >= 0");
      if (branches < 1) throw new IllegalArgumentException("branches must be >= 1");
    }

    /** A template run or a full-recompute edit: nothing to load. */
    public static Entry uncached(int branches) {
      return new Entry(0, branches, null, Precision.F32);
    }
  }

  /** Cw, Cf and Ld per block, ready for {@link Algorithm1#plan}. */
  public record Costs(double[] cw, double[] cf, double[] ld) {
    public Algorithm1.Plan plan() {
      return Algorithm1.plan(cw, cf, ld);
    }
  }

  /** Predicted compute time of {@code flops}, never negative. */
  public double computeTime(double flops) {
    return Math.max(0, compute.predict(flops));
  }

  /** Predicted time to load {@code bytes} from {@code tier}; zero bytes cost nothing. */
  public double loadTime(TierKind tier, double bytes) {
    if (bytes == 0) return 0;
    LinearFit fit = load.get(tier);
    if (fit == null)
      throw new IllegalStateException(
          "no load calibration for tier " + tier + " (have " + load.keySet() + ")");
    return Math.max(0, fit.predict(bytes));
  }

  /**
   * Bytes the pipelined loader moves per block for one template: a whole segment (L × H values),
   * since unmasked rows are scattered through it; a template with every token masked loads nothing.
   */
  public static long loadBytes(ModelConfig c, Entry e) {
    if (e.tier() == null || e.maskedTokens() >= c.imageTokens()) return 0;
    return (long) c.imageTokens() * c.hiddenSize() * e.precision().bytes();
  }

  /**
   * The costs of one denoising step of {@code batch}: every block has the same shape, so the same
   * costs.
   */
  public Costs costs(ModelConfig c, List<Entry> batch) {
    int n = c.sequenceLength();
    double withCache = 0;
    double without = 0;
    double loading = 0;
    for (Entry e : batch) {
      double full = FlopModel.block(c, n, n);
      boolean cached = e.tier() != null && e.maskedTokens() < c.imageTokens();
      withCache +=
          e.branches()
              * (cached ? FlopModel.block(c, c.promptTokens() + e.maskedTokens(), n) : full);
      without += e.branches() * full;
      if (cached) loading += loadTime(e.tier(), loadBytes(c, e));
    }
    int depth = c.depth();
    double[] cw = new double[depth];
    double[] cf = new double[depth];
    double[] ld = new double[depth];
    double full = batch.isEmpty() ? 0 : computeTime(without);
    // a cached block does a subset of the full block's work: a fit that says otherwise (a negative
    // slope from a noisy calibration) must not make Algorithm 1 recompute where nothing stalls
    java.util.Arrays.fill(cw, batch.isEmpty() ? 0 : Math.min(computeTime(withCache), full));
    java.util.Arrays.fill(cf, full);
    java.util.Arrays.fill(ld, loading);
    return new Costs(cw, cf, ld);
  }

  /** A model with the given fits; convenient when load fits arrive one tier at a time. */
  public CostModel withLoad(TierKind tier, LinearFit fit) {
    Map<TierKind, LinearFit> m = new EnumMap<>(TierKind.class);
    m.putAll(load);
    m.put(tier, fit);
    return new CostModel(compute, m);
  }
}
