package io.instgenie.verticles.batching;

import io.instgenie.cache.CostModel;
import io.instgenie.cache.LinearFit;
import io.instgenie.cache.Precision;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The block modes of one step for the whole batch (DESIGN.md, Algorithm 1). While every cached row
 * is read in place (memory) nothing is loaded, so every block uses the cache with no plan to make;
 * once a member reads through the pipelined loader (disk), Algorithm 1 runs on Cw, Cf and Ld from
 * the calibrated cost model. Plain Java; the step-loop thread only, apart from {@link #useCosts}.
 */
public final class BlockPlanner {
  /**
   * Ld of memory-resident templates: the compute thread gathers them in place, with no loader in
   * between, and the compute calibration already times gathers from memory.
   */
  private static final LinearFit IN_PLACE = new LinearFit(0, 0, 1, 0);

  /**
   * One step's choice: {@code modes} null means CACHE everywhere; {@code slowest} is the slowest
   * tier a member reads from, null when none reads cached rows (then there was no choice to count).
   */
  record Choice(BlockMode[] modes, TierKind slowest, int cached, int recomputed) {}

  private final ModelConfig config;
  private final Choice noCache;
  private final Choice inMemory;
  private final List<CostModel.Entry> entries = new ArrayList<>();
  private volatile CostModel costs;

  BlockPlanner(ModelConfig config) {
    this.config = config;
    this.noCache = new Choice(null, null, 0, 0);
    this.inMemory = new Choice(null, TierKind.MEMORY, config.depth(), 0);
  }

  /** The start-up calibration; until it arrives, loads are taken as free (CACHE everywhere). */
  void useCosts(CostModel calibrated) {
    costs = inPlaceMemory(calibrated);
  }

  /**
   * The calibrated costs as the planner uses them: memory-resident rows cost no load (a simulator
   * plans with the same model).
   */
  public static CostModel inPlaceMemory(CostModel calibrated) {
    return calibrated.withLoad(TierKind.MEMORY, IN_PLACE);
  }

  Choice plan(List<Member> running) {
    TierKind slowest = null;
    for (Member m : running) {
      if (m instanceof EditMember e
          && e.tier != null
          && (slowest == null || e.tier.compareTo(slowest) > 0)) slowest = e.tier;
    }
    if (slowest == null) return noCache;
    if (slowest == TierKind.MEMORY) return inMemory;
    CostModel model = costs;
    entries.clear();
    for (Member m : running) {
      CostModel.Entry e = entry(m);
      // no fit for a tier read (not calibrated yet, or its calibration failed): the loader still
      // overlaps, it is only unknown whether it keeps up
      if (model == null || (e.tier() != null && !model.load().containsKey(e.tier())))
        return new Choice(null, slowest, config.depth(), 0);
      entries.add(e);
    }
    BlockMode[] modes = model.costs(config, entries).plan().modes();
    int cached = 0;
    for (BlockMode mode : modes) if (mode == BlockMode.CACHE) cached++;
    return new Choice(modes, slowest, cached, modes.length - cached);
  }

  /** What a member costs per block: masked rows and branches, and where its cached rows are. */
  private static CostModel.Entry entry(Member member) {
    if (!(member instanceof EditMember m)) return CostModel.Entry.uncached(1); // a template run
    if (m.tier == null) return CostModel.Entry.uncached(m.job.branches());
    Precision p = m.pipe != null ? m.pipe.shape().precision() : Precision.F32;
    return new CostModel.Entry(
        m.job.activeTokens(), m.job.branches(), m.tier, p, m.job.cacheKind());
  }
}
