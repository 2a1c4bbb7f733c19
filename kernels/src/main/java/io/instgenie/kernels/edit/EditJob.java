package io.instgenie.kernels.edit;

import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import java.util.List;

/**
 * One edit, step by step (DESIGN.md "An edit"): masked tokens start from the edit noise and take
 * Euler steps on the guided velocity; unmasked tokens are put back on the template's trajectory
 * before every step. With activations the masked forward computes masked tokens only; without,
 * every token is recomputed (the full-recompute reference). The quality knob {@code fullSteps}
 * recomputes every token for an edit's first steps even with activations: the unmasked rows then
 * see the prompt while the layout of the image is decided, as in full recompute, and the cache
 * serves the later steps.
 */
public final class EditJob implements DenoiseJob {
  private final ModelConfig c;
  private final float[] template;
  private final float[] templateNoise;
  private final int[] masked;
  private final float[] x;
  private final int[] promptIds;
  private final float guidance;
  private final boolean twoBranches;
  private final Activations cache;
  private final int steps;
  private final int fullSteps;
  private final float[] patches;
  private final float[] vNull;
  private final float[] vPrompt;
  private int step;

  /** Whether this step's sequences compute every token (velocity rows by token index). */
  private boolean fullThisStep;

  /**
   * @param masked sorted masked token indices
   * @param editNoise noise from the request seed, token layout [L, C·p²]
   * @param cache the template's activations, or null for full recompute
   */
  public EditJob(
      ModelConfig c,
      float[] templateTokens,
      float[] templateNoise,
      int[] masked,
      float[] editNoise,
      int[] promptIds,
      float guidance,
      int steps,
      Activations cache) {
    this(c, templateTokens, templateNoise, masked, editNoise, promptIds, guidance, steps, cache, 0);
  }

  /**
   * @param fullSteps the first steps that recompute every token although {@code cache} is there
   *     (the quality knob; 0: every step uses the cache)
   */
  public EditJob(
      ModelConfig c,
      float[] templateTokens,
      float[] templateNoise,
      int[] masked,
      float[] editNoise,
      int[] promptIds,
      float guidance,
      int steps,
      Activations cache,
      int fullSteps) {
    if (steps <= 0) throw new EditException("steps must be positive, got " + steps);
    if (fullSteps < 0) throw new IllegalArgumentException("full steps must be ≥ 0: " + fullSteps);
    if (cache != null && cache.steps() != steps) {
      throw new IllegalArgumentException(
          "activations hold " + cache.steps() + " steps, the edit has " + steps);
    }
    this.c = c;
    this.template = templateTokens;
    this.templateNoise = templateNoise;
    this.masked = masked.clone();
    this.promptIds = promptIds.clone();
    this.guidance = guidance;
    this.twoBranches = !Prompts.isNull(promptIds) && guidance != 1f; // as PreparedEdit.branches()
    this.cache = cache;
    this.steps = steps;
    this.fullSteps = cache == null ? 0 : Math.min(fullSteps, steps);
    int pd = c.patchDim();
    this.x = new float[masked.length * pd];
    for (int i = 0; i < masked.length; i++) {
      System.arraycopy(editNoise, masked[i] * pd, x, i * pd, pd);
    }
    this.patches = new float[templateTokens.length];
    int velRows = cache == null || this.fullSteps > 0 ? c.imageTokens() : masked.length;
    this.vNull = twoBranches ? new float[velRows * pd] : null;
    this.vPrompt = new float[velRows * pd];
  }

  @Override
  public int steps() {
    return steps;
  }

  @Override
  public int step() {
    return masked.length == 0 ? steps : step;
  }

  @Override
  public int activeTokens() {
    return cache == null || step < fullSteps ? c.imageTokens() : masked.length;
  }

  /**
   * The quality knob's full steps for an edit of {@code steps} steps. The knob {@code k} is counted
   * at the model's default step count and covers the same share of the trajectory at any other (t
   * from 1 down to 1 − k/defaultSteps, where the layout is decided): ⌈k·steps/defaultSteps⌉, at
   * most {@code steps} — 6 of 20 is 2 of 5 and 12 of 40. A fixed count instead left a 40-step edit
   * short of the 20-step quality (SSIM 0.897 against 0.949 with 12) and made a 10-step one pay for
   * more than it gains (BENCHMARKS.md).
   */
  public static int fullStepsFor(int k, int steps, int defaultSteps) {
    if (k < 0 || steps < 0 || defaultSteps < 1)
      throw new IllegalArgumentException(
          "full steps " + k + ", steps " + steps + ", default steps " + defaultSteps);
    return (int) Math.min(steps, ((long) k * steps + defaultSteps - 1) / defaultSteps);
  }

  /** Tokens computed per step once the full steps are over (every token without a cache). */
  public int activeTokensLater() {
    return cache == null ? c.imageTokens() : masked.length;
  }

  /**
   * Of the steps left, those that compute every token: all of them without a cache, else the
   * quality knob's full steps not yet taken.
   */
  public int fullStepsLeft() {
    int left = steps() - step();
    return cache == null ? left : Math.min(left, Math.max(0, fullSteps - step));
  }

  /** What its cache holds (Y when it reads none). */
  public CacheKind cacheKind() {
    return cache == null ? CacheKind.Y : cache.kind();
  }

  /** Evaluations per step: 2 with classifier-free guidance, else 1. */
  public int branches() {
    return twoBranches ? 2 : 1;
  }

  @Override
  public void addSequences(List<Sequence> seqs) {
    float t = Schedule.t(step, steps);
    fullThisStep = cache == null || step < fullSteps;
    Schedule.noised(template, templateNoise, t, patches);
    int pd = c.patchDim();
    for (int i = 0; i < masked.length; i++)
      System.arraycopy(x, i * pd, patches, masked[i] * pd, pd);
    if (twoBranches) seqs.add(sequence(t, Prompts.nullPrompt(c), vNull));
    seqs.add(sequence(t, promptIds, vPrompt));
  }

  private Sequence sequence(float t, int[] ids, float[] velocity) {
    if (fullThisStep) return Sequence.full(t, ids, patches, c.imageTokens(), velocity, null);
    return Sequence.masked(t, ids, patches, masked, c.imageTokens(), cache.source(step), velocity);
  }

  @Override
  public void afterStep() {
    float dt = Schedule.t(step + 1, steps) - Schedule.t(step, steps);
    int pd = c.patchDim();
    for (int i = 0; i < masked.length; i++) {
      int row = (fullThisStep ? masked[i] : i) * pd;
      for (int e = 0; e < pd; e++) {
        float v = vPrompt[row + e];
        if (twoBranches) v = Schedule.guided(vNull[row + e], v, guidance);
        x[i * pd + e] += dt * v; // Euler
      }
    }
    step++;
  }

  /** The edited pixels: masked pixels from x, every other pixel the template's own byte. */
  public byte[] result(byte[] templateRgb, boolean[] pixelMask) {
    float[] tokens = template.clone();
    int pd = c.patchDim();
    for (int i = 0; i < masked.length; i++) System.arraycopy(x, i * pd, tokens, masked[i] * pd, pd);
    byte[] out = Patches.toRgb(tokens, c);
    for (int px = 0; px < pixelMask.length; px++) {
      if (!pixelMask[px]) {
        out[px * 3] = templateRgb[px * 3];
        out[px * 3 + 1] = templateRgb[px * 3 + 1];
        out[px * 3 + 2] = templateRgb[px * 3 + 2];
      }
    }
    return out;
  }
}
