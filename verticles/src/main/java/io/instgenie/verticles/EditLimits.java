package io.instgenie.verticles;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.CacheMode;
import io.instgenie.cache.Precision;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.messages.ServiceException;

/**
 * What one request may cost, checked at admission so that nothing past a limit is ever accepted:
 * its steps ({@code max_steps}), its guidance, and the bytes its template run would cache ({@code
 * max_template_run_bytes}: the activations are one allocation for the whole run, so a request whose
 * run cannot fit is refused instead of taking the process's memory; counted as the run would record
 * them, block outputs or, where {@code cache_mode} gives K/V, twice that). A request over a limit
 * gets 400 naming the limit.
 */
public record EditLimits(
    ModelConfig model,
    int maxSteps,
    long maxTemplateRunBytes,
    Precision precision,
    CacheMode cacheMode,
    long workerMemoryBytes,
    boolean activationCache,
    long maxEditMs) {
  /** The range of classifier-free guidance a request may ask for (the model's own). */
  public static final float MIN_GUIDANCE = ModelConfig.MIN_GUIDANCE;

  public static final float MAX_GUIDANCE = ModelConfig.MAX_GUIDANCE;

  public static EditLimits of(ModelConfig model, ServiceConfig c) {
    return new EditLimits(
        model,
        c.maxSteps(),
        c.maxTemplateRunBytes(),
        c.cachePrecision(),
        c.cacheMode(),
        c.cacheMemoryBytes() / c.workers(), // each worker's cache decides with its own share
        c.activationCache(),
        c.maxEditMs());
  }

  /**
   * How long an edit may take, from admission to its end: the client's {@code timeout_ms}, at most
   * the server's {@code max_edit_ms} (also the default).
   */
  public long timeoutMs(Long requested) {
    if (requested == null) return maxEditMs;
    if (requested <= 0) throw bad("timeout_ms must be positive, got " + requested);
    return Math.min(requested, maxEditMs);
  }

  /** Throws a 400 {@link ServiceException} naming the first limit {@code p} is over. */
  public void check(PreparedEdit p) {
    if (p.steps() > maxSteps)
      throw bad(
          "steps must be at most " + maxSteps + " (the server's max_steps), got " + p.steps());
    String problem = guidanceProblem(p.guidance());
    if (problem == null && activationCache)
      problem =
          templateRunProblem(
              model,
              p.steps(),
              precision,
              cacheMode.kindFor(model, p.steps(), precision, workerMemoryBytes),
              maxTemplateRunBytes);
    if (problem != null) throw bad(problem);
  }

  /** Why guidance {@code g} is refused, or null when it is within range. */
  public static String guidanceProblem(float g) {
    if (g >= MIN_GUIDANCE && g <= MAX_GUIDANCE) return null;
    return "guidance must be between " + MIN_GUIDANCE + " and " + MAX_GUIDANCE + ", got " + g;
  }

  /**
   * Why a template run of {@code steps} steps recording {@code kind} is refused ({@code
   * max_template_run_bytes}: the activations are one allocation), or null when it fits.
   */
  public static String templateRunProblem(
      ModelConfig model, int steps, Precision precision, CacheKind kind, long maxBytes) {
    long bytes = ActivationShape.of(model, steps, precision, kind).totalBytes();
    if (bytes <= maxBytes) return null;
    long perStep = ActivationShape.of(model, 1, precision, kind).totalBytes();
    return "a template run of "
        + steps
        + " steps caches "
        + bytes
        + (kind == CacheKind.KV ? " bytes of keys and values" : " bytes of activations")
        + ", more than max_template_run_bytes ("
        + maxBytes
        + "); ask for at most "
        + maxBytes / perStep
        + " steps";
  }

  private static ServiceException bad(String message) {
    return new ServiceException(ServiceException.BAD_REQUEST, message);
  }
}
