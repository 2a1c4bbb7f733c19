package io.instgenie.kernels.edit;

import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;

/**
 * Conversions between interleaved 8-bit RGB pixels and the token layout of DESIGN.md: token n = i·G
 * + j for patch row i, column j; entry c·p² + u·p + v is channel c of pixel (i·p + u, j·p + v);
 * values scaled to [-1, 1].
 */
public final class Patches {
  private Patches() {}

  /** Token layout [L, C·p²] of an S×S RGB image, values in [-1, 1]. */
  public static float[] fromImage(RgbImage img, ModelConfig c) {
    checkSize(img.width(), img.height(), c, "image");
    int s = c.imageSize();
    int p = c.patchSize();
    float[] out = new float[c.imageTokens() * c.patchDim()];
    forEachEntry(
        c,
        (token, entry, y, x, ch) ->
            out[token * c.patchDim() + entry] =
                (img.pixels()[(y * s + x) * 3 + ch] & 0xff) / 127.5f - 1f);
    return out;
  }

  /** Token layout from a channel-major [C, S, S] array (the .npy layout of {@code forward}). */
  public static float[] fromChw(float[] chw, ModelConfig c) {
    int s = c.imageSize();
    float[] out = new float[c.imageTokens() * c.patchDim()];
    forEachEntry(
        c,
        (token, entry, y, x, ch) -> out[token * c.patchDim() + entry] = chw[(ch * s + y) * s + x]);
    return out;
  }

  /** The inverse of {@link #fromChw}. */
  public static float[] toChw(float[] tokens, ModelConfig c) {
    int s = c.imageSize();
    float[] out = new float[c.channels() * s * s];
    forEachEntry(
        c,
        (token, entry, y, x, ch) ->
            out[(ch * s + y) * s + x] = tokens[token * c.patchDim() + entry]);
    return out;
  }

  /** Pixels in [-1, 1] (token layout) to bytes: round((v+1)·127.5), clamped. */
  public static byte[] toRgb(float[] tokens, ModelConfig c) {
    int s = c.imageSize();
    byte[] rgb = new byte[s * s * 3];
    forEachEntry(
        c,
        (token, entry, y, x, ch) ->
            rgb[(y * s + x) * 3 + ch] = quantize(tokens[token * c.patchDim() + entry]));
    return rgb;
  }

  public static byte quantize(float v) {
    long q = Math.round((v + 1.0) * 127.5);
    return (byte) Math.max(0, Math.min(255, q));
  }

  /** Whether the mask marks at least one pixel for editing (a level of 128 or more). */
  public static boolean selectsAny(MaskImage m) {
    for (byte level : m.levels()) if ((level & 0xff) >= 128) return true;
    return false;
  }

  /** Refuses a mask ({@code what} names it) that marks no pixel: there would be nothing to edit. */
  public static void checkSelects(MaskImage m, String what) {
    if (!selectsAny(m))
      throw new EditException(
          what
              + " selects no pixel, so there is nothing to edit (pixels of level 128 or more,"
              + " white, mark the area to edit)");
  }

  /** Pixel mask (true = edit) from mask levels ≥ 128. */
  public static boolean[] pixelMask(MaskImage m) {
    boolean[] out = new boolean[m.width() * m.height()];
    for (int i = 0; i < out.length; i++) out[i] = (m.levels()[i] & 0xff) >= 128;
    return out;
  }

  /** Sorted indices of the tokens any of whose pixels is masked. */
  public static int[] maskedTokens(boolean[] pixelMask, ModelConfig c) {
    boolean[] tok = new boolean[c.imageTokens()];
    int s = c.imageSize();
    int p = c.patchSize();
    for (int y = 0; y < s; y++) {
      for (int x = 0; x < s; x++) {
        if (pixelMask[y * s + x]) tok[(y / p) * c.grid() + x / p] = true;
      }
    }
    int n = 0;
    for (boolean b : tok) if (b) n++;
    int[] out = new int[n];
    n = 0;
    for (int i = 0; i < tok.length; i++) if (tok[i]) out[n++] = i;
    return out;
  }

  public static void checkSize(int width, int height, ModelConfig c, String what) {
    if (width != c.imageSize() || height != c.imageSize()) {
      throw new EditException(
          what
              + " is "
              + width
              + "x"
              + height
              + "; the model takes "
              + c.imageSize()
              + "x"
              + c.imageSize()
              + " images");
    }
  }

  private interface Entry {
    void at(int token, int entry, int y, int x, int ch);
  }

  private static void forEachEntry(ModelConfig c, Entry f) {
    int p = c.patchSize();
    int g = c.grid();
    for (int i = 0; i < g; i++) {
      for (int j = 0; j < g; j++) {
        for (int ch = 0; ch < c.channels(); ch++) {
          for (int u = 0; u < p; u++) {
            for (int v = 0; v < p; v++) {
              f.at(i * g + j, ch * p * p + u * p + v, i * p + u, j * p + v, ch);
            }
          }
        }
      }
    }
  }
}
