package io.instgenie.kernels.edit;

import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;

/**
 * A validated request in the engine's terms: token layouts, masked tokens, prompt ids, the resolved
 * steps, seed and guidance, and the template id. Building one is the only validation.
 */
public record PreparedEdit(
    EditRequest request,
    float[] templateTokens,
    boolean[] pixelMask,
    int[] maskedTokens,
    int[] promptIds,
    int steps,
    long seed,
    float guidance,
    String templateId) {

  /** Refuses a mask of another size than its template's. */
  public static void checkMaskSize(int width, int height, int templateWidth, int templateHeight) {
    if (width != templateWidth || height != templateHeight) {
      throw new EditException(
          "mask is "
              + width
              + "x"
              + height
              + " but the template is "
              + templateWidth
              + "x"
              + templateHeight);
    }
  }

  /**
   * The edit as run; a request without a seed gets the top 53 bits of {@code randomSeed} (0 to 2^53
   * − 1), which a JavaScript client reads back exactly.
   */
  public static PreparedEdit of(EditRequest r, ModelConfig c, String modelDigest, long randomSeed) {
    Patches.checkSize(r.template().width(), r.template().height(), c, "template");
    checkMaskSize(r.mask().width(), r.mask().height(), r.template().width(), r.template().height());
    int steps = r.steps() == null ? c.defaultSteps() : r.steps();
    if (steps <= 0) throw new EditException("steps must be a positive number, got " + steps);
    float guidance = r.guidance() == null ? c.defaultGuidance() : r.guidance();
    if (!Float.isFinite(guidance)) throw new EditException("guidance must be a finite number");
    int[] ids = Prompts.encode(c, r.prompt());
    boolean[] pixels = Patches.pixelMask(r.mask());
    return new PreparedEdit(
        r,
        Patches.fromImage(r.template(), c),
        pixels,
        Patches.maskedTokens(pixels, c),
        ids,
        steps,
        r.seed() == null ? randomSeed >>> 11 : r.seed(),
        guidance,
        TemplateId.of(r.template(), modelDigest, steps));
  }

  public double maskRatio(ModelConfig c) {
    return (double) maskedTokens.length / c.imageTokens();
  }

  /** Evaluations per step: 2 with classifier-free guidance (a prompt and g ≠ 1), else 1. */
  public int branches() {
    return !Prompts.isNull(promptIds) && guidance != 1f ? 2 : 1;
  }

  public float[] templateNoise() {
    return Noise.gaussian(Noise.templateSeed(templateId), templateTokens.length);
  }

  public EditJob job(ModelConfig c, Activations cacheOrNull) {
    return job(c, cacheOrNull, 0);
  }

  /**
   * The edit's job; it recomputes every token in its first steps (the quality knob {@code
   * fullSteps}, counted at the model's default step count: {@link EditJob#fullStepsFor}).
   */
  public EditJob job(ModelConfig c, Activations cacheOrNull, int fullSteps) {
    return new EditJob(
        c,
        templateTokens,
        templateNoise(),
        maskedTokens,
        Noise.gaussian(seed, templateTokens.length),
        promptIds,
        guidance,
        steps,
        cacheOrNull,
        EditJob.fullStepsFor(fullSteps, steps, c.defaultSteps()));
  }
}
