package io.instgenie.kernels.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.instgenie.kernels.io.ModelFormatException;
import java.util.List;
import java.util.Map;

/** The contents of {@code model.json}: the architecture of an instgenie-dit/1 model (DESIGN.md). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelConfig(
    @JsonProperty("format") String format,
    @JsonProperty("image_size") int imageSize,
    @JsonProperty("channels") int channels,
    @JsonProperty("patch_size") int patchSize,
    @JsonProperty("hidden_size") int hiddenSize,
    @JsonProperty("depth") int depth,
    @JsonProperty("num_heads") int numHeads,
    @JsonProperty("mlp_ratio") int mlpRatio,
    @JsonProperty("prompt_tokens") int promptTokens,
    @JsonProperty("vocab") List<String> vocab,
    @JsonProperty("default_steps") int defaultSteps,
    @JsonProperty("default_guidance") float defaultGuidance,
    @JsonProperty("provenance") Map<String, Object> provenance) {

  public static final String FORMAT = "instgenie-dit/1";

  /** Number of sinusoidal frequencies feeding the time MLP (256 values: cos and sin). */
  public static final int TIME_FREQ = 256;

  public static final float LN_EPS = 1e-6f;

  /** The range of classifier-free guidance: a model's default and what a request may ask for. */
  public static final float MIN_GUIDANCE = 0f;

  public static final float MAX_GUIDANCE = 30f;

  public ModelConfig {
    require(FORMAT.equals(format), "format must be \"" + FORMAT + "\", got " + format);
    require(
        imageSize > 0 && patchSize > 0 && imageSize % patchSize == 0,
        "image_size " + imageSize + " must be a positive multiple of patch_size " + patchSize);
    require(channels > 0, "channels must be positive");
    require(
        numHeads > 0 && hiddenSize % numHeads == 0,
        "hidden_size " + hiddenSize + " must be a multiple of num_heads " + numHeads);
    require(hiddenSize % 4 == 0, "hidden_size must be a multiple of 4 (2-D sin-cos positions)");
    require(depth > 0, "depth must be positive");
    require(mlpRatio == 4, "mlp_ratio must be 4");
    require(promptTokens > 0, "prompt_tokens must be positive");
    require(
        vocab != null && vocab.size() >= 1 && "<null>".equals(vocab.get(0)),
        "vocab must be a list whose first word is <null>");
    require(defaultSteps > 0, "default_steps must be positive");
    require(
        defaultGuidance >= MIN_GUIDANCE && defaultGuidance <= MAX_GUIDANCE,
        "default_guidance must be between "
            + MIN_GUIDANCE
            + " and "
            + MAX_GUIDANCE
            + ", got "
            + defaultGuidance);
    vocab = List.copyOf(vocab);
    provenance = provenance == null ? null : Map.copyOf(provenance);
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new ModelFormatException("model.json: " + message);
  }

  /** Patches per side, S/p. */
  public int grid() {
    return imageSize / patchSize;
  }

  /** Image tokens L = (S/p)². */
  public int imageTokens() {
    return grid() * grid();
  }

  /** Values per image token, C·p². */
  public int patchDim() {
    return channels * patchSize * patchSize;
  }

  /** Sequence length P + L. */
  public int sequenceLength() {
    return promptTokens + imageTokens();
  }

  public int headDim() {
    return hiddenSize / numHeads;
  }

  public ModelConfig withProvenance(Map<String, Object> p) {
    return new ModelConfig(
        format,
        imageSize,
        channels,
        patchSize,
        hiddenSize,
        depth,
        numHeads,
        mlpRatio,
        promptTokens,
        vocab,
        defaultSteps,
        defaultGuidance,
        p);
  }

  /** This architecture with other sampler defaults (tuned on a trained model). */
  public ModelConfig withSampling(int steps, float guidance) {
    return new ModelConfig(
        format,
        imageSize,
        channels,
        patchSize,
        hiddenSize,
        depth,
        numHeads,
        mlpRatio,
        promptTokens,
        vocab,
        steps,
        guidance,
        provenance);
  }
}
