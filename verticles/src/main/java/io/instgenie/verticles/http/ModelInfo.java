package io.instgenie.verticles.http;

import io.instgenie.kernels.model.ModelConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The body of {@code GET /v1/model}: what a client needs to know to build a valid edit. */
final class ModelInfo {
  private ModelInfo() {}

  /**
   * The served model's facts. {@code vocabulary} leaves out {@code <null>} (index 0), which is
   * padding, not a word a prompt may use.
   */
  static JsonObject of(ModelConfig c, String digest, long maxBodyBytes) {
    JsonObject j =
        new JsonObject()
            .put("format", c.format())
            .put("digest", digest)
            .put("image_size", c.imageSize())
            .put("channels", c.channels())
            .put("patch_size", c.patchSize())
            .put("image_tokens", c.imageTokens())
            .put("prompt_tokens", c.promptTokens())
            .put("vocabulary", new JsonArray(c.vocab().subList(1, c.vocab().size())))
            .put("default_steps", c.defaultSteps())
            .put("default_guidance", c.defaultGuidance())
            .put("hidden_size", c.hiddenSize())
            .put("depth", c.depth())
            .put("num_heads", c.numHeads())
            .put("max_body_bytes", maxBodyBytes);
    if (c.provenance() != null) j.put("provenance", new JsonObject(c.provenance()));
    return j;
  }
}
