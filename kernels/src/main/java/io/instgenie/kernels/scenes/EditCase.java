package io.instgenie.kernels.scenes;

import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import java.util.Objects;

/**
 * A seeded edit request on a generated scene: the template, a square mask (255 = edit) that covers
 * the target object's frame, the prompt naming that object, and the ideal result ({@code expected}:
 * the scene re-rendered with the target added, or in place of {@code replaced}). The target's
 * colour is no colour of the template's background or objects.
 */
public record EditCase(
    Scene template,
    EditCase.Kind kind,
    SceneObject target,
    SceneObject replaced,
    Box maskBox,
    MaskImage mask,
    String prompt,
    RgbImage expected) {

  /** Whether the target goes into empty background or takes an existing object's place. */
  public enum Kind {
    ADD,
    REPLACE
  }

  public EditCase {
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(maskBox, "maskBox");
    Objects.requireNonNull(mask, "mask");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(expected, "expected");
    if ((kind == Kind.REPLACE) != (replaced != null)) {
      throw new IllegalArgumentException("replaced must be given exactly for a REPLACE case");
    }
  }

  /** The asked colour: the target's. */
  public Colour colour() {
    return target.colour();
  }

  /** Masked pixels over all pixels. */
  public double maskRatio() {
    return maskBox.area() / (double) (mask.width() * mask.height());
  }
}
