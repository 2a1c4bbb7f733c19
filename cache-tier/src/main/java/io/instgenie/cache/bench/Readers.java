package io.instgenie.cache.bench;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.LoadedStep;
import io.instgenie.cache.PipelinedActivations;
import io.instgenie.cache.SegmentSource;
import io.instgenie.cache.TierKind;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The cache benchmark's per-template readers, made once so no measurement allocates them: per tier
 * a segment source and a pipelined reader, a load-then-compute buffer, velocity arrays.
 */
final class Readers implements AutoCloseable {
  private final BenchTemplates templates;
  private final LoadedStep[] loaded;
  private final Map<TierKind, SegmentSource[]> sources = new EnumMap<>(TierKind.class);
  private final Map<TierKind, PipelinedActivations[]> pipes = new EnumMap<>(TierKind.class);
  private final float[][][] velocity;

  /** For the first {@code n} templates; {@code velocityLength} floats per guidance branch. */
  Readers(
      BenchTemplates templates,
      ActivationShape shape,
      int n,
      Set<TierKind> tiers,
      double remoteMbps,
      int branches,
      int velocityLength) {
    this.templates = templates;
    this.loaded = new LoadedStep[n];
    this.velocity = new float[n][branches][velocityLength];
    for (int i = 0; i < n; i++) loaded[i] = new LoadedStep(shape);
    for (TierKind tier : TierKind.values()) {
      if (!tiers.contains(tier)) continue;
      SegmentSource[] src = new SegmentSource[n];
      PipelinedActivations[] p = new PipelinedActivations[n];
      for (int i = 0; i < n; i++) {
        src[i] = templates.source(tier, i, remoteMbps);
        p[i] = new PipelinedActivations(src[i], null);
      }
      sources.put(tier, src);
      pipes.put(tier, p);
    }
  }

  BenchTemplates templates() {
    return templates;
  }

  /** The tiers measured, fastest first. */
  Set<TierKind> tiers() {
    return sources.keySet();
  }

  SegmentSource source(TierKind tier, int i) {
    return sources.get(tier)[i];
  }

  LoadedStep loaded(int i) {
    return loaded[i];
  }

  PipelinedActivations pipe(TierKind tier, int i) {
    return pipes.get(tier)[i];
  }

  float[][] velocity(int i) {
    return velocity[i];
  }

  /**
   * Total bubble time so far of the first {@code batch} templates' pipelined readers of one tier.
   */
  long bubbleNanos(TierKind tier, int batch) {
    long sum = 0;
    for (int i = 0; i < batch; i++) sum += pipe(tier, i).bubbleNanos();
    return sum;
  }

  /**
   * Stops the loader threads; the pipelines close their sources, which the templates close again
   * harmlessly.
   */
  @Override
  public void close() {
    for (PipelinedActivations[] p : pipes.values()) for (PipelinedActivations a : p) a.close();
  }
}
