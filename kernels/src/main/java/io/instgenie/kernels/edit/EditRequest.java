package io.instgenie.kernels.edit;

import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import java.util.Objects;

/** What a user asks for; null steps, seed or guidance take the model's defaults (a random seed). */
public record EditRequest(
    RgbImage template, MaskImage mask, String prompt, Integer steps, Long seed, Float guidance) {
  public EditRequest {
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(mask, "mask");
    prompt = prompt == null ? "" : prompt;
  }
}
