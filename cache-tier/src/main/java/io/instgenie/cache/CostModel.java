package io.instgenie.cache;

import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.model.ModelConfig;
import java.util.Arrays;
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
   * for a template run), the precision it is stored in and what it holds.
   */
  public record Entry(
      int maskedTokens, int branches, TierKind tier, Precision precision, CacheKind kind) {
    public Entry {
      if (maskedTokens < 0) throw new IllegalArgumentException("masked tokens must be >= 0");
      if (branches < 1) throw new IllegalArgumentException("branches must be >= 1");
      Objects.requireNonNull(kind, "kind");
    }

    /** A cache of block outputs Y. */
    public Entry(int maskedTokens, int branches, TierKind tier, Precision precision) {
      this(maskedTokens, branches, tier, precision, CacheKind.Y);
    }

    /** A template run or a full-recompute edit: nothing to load. */
    public static Entry uncached(int branches) {
      return new Entry(0, branches, null, Precision.F32);
    }
  }

  /**
   * Cw, Cf and Ld per block, ready for {@link Algorithm1#plan}. With a K/V cache in the batch
   * ({@code prefixOnly}) only a prefix of blocks may recompute, and the first cached block after it
   * costs {@code cw1}, {@code ld1} (K/V projected for K/V caches, which load nothing there).
   */
  public record Costs(
      double[] cw, double[] cf, double[] ld, double[] cw1, double[] ld1, boolean prefixOnly) {
    public Costs(double[] cw, double[] cf, double[] ld) {
      this(cw, cf, ld, cw, ld, false);
    }

    public Algorithm1.Plan plan() {
      return prefixOnly ? Algorithm1.planPrefix(cw, cf, ld, cw1, ld1) : Algorithm1.plan(cw, cf, ld);
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
   * Bytes the pipelined loader moves per block for one template: a whole segment (L × H values, L ×
   * 2H for K/V), since unmasked rows are scattered through it; a template with every token masked
   * loads nothing.
   */
  public static long loadBytes(ModelConfig c, Entry e) {
    if (e.tier() == null || e.maskedTokens() >= c.imageTokens()) return 0;
    return (long) c.imageTokens() * e.kind().rowWidth(c.hiddenSize()) * e.precision().bytes();
  }

  /**
   * The costs of one denoising step of {@code batch}: every block has the same shape, so the same
   * costs.
   */
  public Costs costs(ModelConfig c, List<Entry> batch) {
    int n = c.sequenceLength();
    double withCache = 0;
    double first = 0;
    double without = 0;
    double loading = 0;
    double loadingFirst = 0;
    boolean kv = false;
    for (Entry e : batch) {
      double full = FlopModel.block(c, n, n);
      boolean cached = e.tier() != null && e.maskedTokens() < c.imageTokens();
      boolean readsKv = cached && e.kind() == CacheKind.KV;
      int q = c.promptTokens() + e.maskedTokens();
      double y = cached ? FlopModel.block(c, q, n) : full;
      withCache += e.branches() * (readsKv ? FlopModel.blockKv(c, q, n) : y);
      first += e.branches() * y;
      without += e.branches() * full;
      double load = cached ? loadTime(e.tier(), loadBytes(c, e)) : 0;
      loading += load;
      if (!readsKv) loadingFirst += load;
      kv |= readsKv;
    }
    double full = batch.isEmpty() ? 0 : computeTime(without);
    // a cached block does a subset of the full block's work: a fit that says otherwise (a negative
    // slope from a noisy calibration) must not make Algorithm 1 recompute where nothing stalls
    double[] cw = filled(c, batch.isEmpty() ? 0 : Math.min(computeTime(withCache), full));
    double[] cw1 = filled(c, batch.isEmpty() ? 0 : Math.min(computeTime(first), full));
    return new Costs(cw, filled(c, full), filled(c, loading), cw1, filled(c, loadingFirst), kv);
  }

  private static double[] filled(ModelConfig c, double v) {
    double[] out = new double[c.depth()];
    Arrays.fill(out, v);
    return out;
  }

  /** A model with the given fits; convenient when load fits arrive one tier at a time. */
  public CostModel withLoad(TierKind tier, LinearFit fit) {
    Map<TierKind, LinearFit> m = new EnumMap<>(TierKind.class);
    m.putAll(load);
    m.put(tier, fit);
    return new CostModel(compute, m);
  }
}
