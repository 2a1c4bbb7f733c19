package io.instgenie.kernels.edit;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.model.ModelConfig;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Runs edits one at a time on the calling thread, with an in-process template cache of a few
 * entries (least recently used evicted). The CLI, the tests and the engine benchmark use it; the
 * service batches {@link DenoiseJob}s itself.
 */
public final class EditEngine {
  private final DitModel model;
  private final DitForward forward;
  private final Map<String, Activations> templates;
  private final SecureRandom seeds = new SecureRandom();
  private final CacheKind cacheKind;
  private int fullSteps;
  private UnaryOperator<Activations> storage = UnaryOperator.identity();

  /** Caches block outputs Y (DESIGN.md's cache-Y mode). */
  public EditEngine(DitModel model, Backend backend, int cachedTemplates) {
    this(model, backend, cachedTemplates, CacheKind.Y);
  }

  /** Template runs record {@code cacheKind}: block outputs Y, or keys and values (K/V). */
  public EditEngine(DitModel model, Backend backend, int cachedTemplates, CacheKind cacheKind) {
    this.model = model;
    this.cacheKind = cacheKind;
    this.forward = new DitForward(model, backend);
    this.templates =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Activations> e) {
            return size() > cachedTemplates;
          }
        };
  }

  /**
   * The quality knob a model asks for: its provenance's {@code default_full_steps} (set when a
   * trained model is exported), 0 when it names none.
   */
  public static int defaultFullSteps(ModelConfig c) {
    Object k = c.provenance() == null ? null : c.provenance().get("default_full_steps");
    return k instanceof Number n ? n.intValue() : 0;
  }

  /** Edits recompute every token for their first {@code k} steps (the quality knob). */
  public EditEngine withFullSteps(int k) {
    if (k < 0) throw new IllegalArgumentException("full steps must be ≥ 0, got " + k);
    this.fullSteps = k;
    return this;
  }

  /**
   * Template runs' activations are kept as {@code store} returns them (for example re-encoded in
   * the service's storage precision), so that cached edits read what the service's cache would
   * hold; identity by default (F32 in memory).
   */
  public EditEngine withTemplateStorage(UnaryOperator<Activations> store) {
    this.storage = java.util.Objects.requireNonNull(store, "store");
    return this;
  }

  public ModelConfig config() {
    return model.config();
  }

  public CacheKind cacheKind() {
    return cacheKind;
  }

  public DitForward forward() {
    return forward;
  }

  /** Validates a request (sizes, prompt, steps) without running anything. */
  public PreparedEdit prepare(EditRequest r) {
    return PreparedEdit.of(r, model.config(), model.digest(), seeds.nextLong());
  }

  /**
   * Runs the edit: with {@code useCache}, the template run first if its activations are not cached.
   */
  public EditResult edit(EditRequest request, boolean useCache, StepListener listener) {
    PreparedEdit p = prepare(request);
    ModelConfig c = model.config();
    Activations acts = null;
    boolean hit = false;
    long templateMs = 0;
    if (useCache && p.maskedTokens().length > 0) {
      acts = templates.get(p.templateId());
      hit = acts != null;
      if (!hit) {
        long t0 = System.nanoTime();
        acts =
            storage.apply(templateRun(p.templateTokens(), p.templateNoise(), p.steps(), listener));
        templates.put(p.templateId(), acts);
        templateMs = (System.nanoTime() - t0) / 1_000_000;
      }
    }
    long t0 = System.nanoTime();
    EditJob job = p.job(c, acts, fullSteps);
    run(List.of(job), null, "edit", listener);
    long denoiseMs = (System.nanoTime() - t0) / 1_000_000;
    byte[] rgb = job.result(request.template().pixels(), p.pixelMask());
    return new EditResult(
        rgb, p.templateId(), p.maskRatio(c), p.steps(), p.seed(), hit, templateMs, denoiseMs);
  }

  /**
   * Runs a template run to completion and returns its activations (F32, in memory, of this engine's
   * cache kind).
   */
  public Activations templateRun(
      float[] templateTokens, float[] templateNoise, int steps, StepListener listener) {
    MemoryActivations acts = new MemoryActivations(model.config(), steps, cacheKind);
    run(
        List.of(new TemplateRunJob(model.config(), templateTokens, templateNoise, acts)),
        null,
        "template",
        listener);
    return acts;
  }

  /** Steps every job until all are done, one packed forward per step. */
  public void run(
      List<? extends DenoiseJob> jobs, BlockMode[] modes, String phase, StepListener listener) {
    List<Sequence> seqs = new ArrayList<>();
    int total = jobs.stream().mapToInt(DenoiseJob::steps).max().orElse(0);
    while (jobs.stream().anyMatch(j -> !j.done())) {
      seqs.clear();
      for (DenoiseJob j : jobs) if (!j.done()) j.addSequences(seqs);
      forward.run(seqs, modes);
      int step = 0;
      for (DenoiseJob j : jobs) {
        if (!j.done()) {
          j.afterStep();
          step = Math.max(step, j.step());
        }
      }
      listener.stepDone(phase, step, total);
    }
  }
}
