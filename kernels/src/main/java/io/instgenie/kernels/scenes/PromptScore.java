package io.instgenie.kernels.scenes;

import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import java.util.EnumSet;

/**
 * Whether an edit painted the asked colour into its mask. Pixels are classified by their nearest
 * palette colour ({@link Colour#nearest}); masked means mask level ≥ 128, as the engine reads
 * masks.
 */
public final class PromptScore {
  /**
   * The least share of masked pixels the asked colour must take (a small star: ~7% of its mask).
   */
  public static final double MIN_FRACTION = 0.05;

  private PromptScore() {}

  /** The share of masked pixels of {@code image} whose nearest palette colour is {@code colour}. */
  public static double colourFraction(RgbImage image, MaskImage mask, Colour colour) {
    boolean[] m = maskedPixels(image, mask);
    int masked = 0;
    int hits = 0;
    for (int i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      masked++;
      if (Colour.nearest(image.pixels(), i) == colour) hits++;
    }
    return hits / (double) masked;
  }

  /**
   * The prompt-following rule. Over the masked pixels, classify each pixel of {@code edited};
   * ignore the classes that already occur among the template's masked pixels (background, a
   * replaced object), except the asked colour itself. The edit follows the prompt iff the asked
   * colour covers at least {@link #MIN_FRACTION} of the masked pixels and strictly more of them
   * than any other class not ignored. The untouched template never follows a colour absent from its
   * mask.
   */
  public static boolean follows(RgbImage template, RgbImage edited, MaskImage mask, Colour colour) {
    boolean[] m = maskedPixels(edited, mask);
    if (template.width() != edited.width() || template.height() != edited.height()) {
      throw new IllegalArgumentException("template and edited image differ in size");
    }
    EnumSet<Colour> ignored = EnumSet.noneOf(Colour.class);
    int[] counts = new int[Colour.values().length];
    int masked = 0;
    for (int i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      masked++;
      ignored.add(Colour.nearest(template.pixels(), i));
      counts[Colour.nearest(edited.pixels(), i).ordinal()]++;
    }
    ignored.remove(colour);
    int asked = counts[colour.ordinal()];
    if (asked < MIN_FRACTION * masked) return false;
    for (Colour c : Colour.values()) {
      if (c != colour && !ignored.contains(c) && counts[c.ordinal()] >= asked) return false;
    }
    return true;
  }

  /** {@link #follows(RgbImage, RgbImage, MaskImage, Colour)} for an edit case's request. */
  public static boolean follows(EditCase c, RgbImage edited) {
    return follows(c.template().image(), edited, c.mask(), c.colour());
  }

  private static boolean[] maskedPixels(RgbImage image, MaskImage mask) {
    if (image.width() != mask.width() || image.height() != mask.height()) {
      throw new IllegalArgumentException(
          "mask is "
              + mask.width()
              + "x"
              + mask.height()
              + ", image "
              + image.width()
              + "x"
              + image.height());
    }
    boolean[] m = Patches.pixelMask(mask);
    for (boolean b : m) {
      if (b) return m;
    }
    throw new IllegalArgumentException("the mask selects no pixel");
  }
}
