package io.instgenie.cache.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ImageQualityTest {
  private static final int W = 24;
  private static final int H = 20;

  private static byte[] random(long seed) {
    byte[] px = new byte[W * H * 3];
    new Random(seed).nextBytes(px);
    return px;
  }

  private static byte[] constant(int v) {
    byte[] px = new byte[W * H * 3];
    Arrays.fill(px, (byte) v);
    return px;
  }

  private static boolean[] all() {
    boolean[] m = new boolean[W * H];
    Arrays.fill(m, true);
    return m;
  }

  /** The left half of the image (x < W/2). */
  private static boolean[] leftHalf() {
    boolean[] m = new boolean[W * H];
    for (int i = 0; i < m.length; i++) m[i] = i % W < W / 2;
    return m;
  }

  @Test
  @DisplayName("identical images: PSNR is +inf and SSIM is exactly 1")
  void identical() {
    byte[] a = random(1);
    assertEquals(Double.POSITIVE_INFINITY, ImageQuality.psnr(a, a.clone(), all()));
    assertEquals(1.0, ImageQuality.ssim(a, a.clone(), W, H, all()), 1e-12);
    assertEquals(1.0, ImageQuality.ssim(a, a.clone(), W, H, leftHalf()), 1e-12);
  }

  @Test
  @DisplayName("a constant offset d on every channel gives PSNR 20·log10(255/d)")
  void offsetPsnr() {
    byte[] a = random(2);
    // values below 200, so the offset never clips at 255
    byte[] lo = new byte[a.length];
    byte[] hi = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      lo[i] = (byte) ((a[i] & 0xff) % 200);
      hi[i] = (byte) ((lo[i] & 0xff) + 4);
    }
    assertEquals(20 * Math.log10(255.0 / 4), ImageQuality.psnr(lo, hi, all()), 1e-9);
    assertEquals(
        20 * Math.log10(255.0 / 10), ImageQuality.psnr(constant(100), constant(110), all()), 1e-9);
  }

  @Test
  @DisplayName("constant images: SSIM is the luminance term (2μxμy + C1) / (μx² + μy² + C1)")
  void constantSsim() {
    double c1 = Math.pow(0.01 * 255, 2);
    double expected = (2 * 100.0 * 110 + c1) / (100.0 * 100 + 110.0 * 110 + c1);
    assertEquals(expected, ImageQuality.ssim(constant(100), constant(110), W, H, all()), 1e-9);
  }

  @Test
  @DisplayName(
      "only masked pixels count: a difference outside the mask changes neither PSNR nor the identity check inside")
  void maskedRegionOnly() {
    byte[] a = random(3);
    byte[] b = a.clone();
    boolean[] left = leftHalf();
    for (int px = 0; px < W * H; px++) {
      if (!left[px]) b[px * 3 + 1] ^= 0x55; // the right half differs
    }
    assertEquals(Double.POSITIVE_INFINITY, ImageQuality.psnr(a, b, left));
    assertFalse(ImageQuality.identicalOutside(a, b, left));
    boolean[] right = new boolean[W * H];
    for (int i = 0; i < right.length; i++) right[i] = !left[i];
    assertTrue(ImageQuality.identicalOutside(a, b, right));
    assertTrue(ImageQuality.psnr(a, b, right) < 20);
    // the window of left-half pixels near the border reaches into the differing right half
    assertTrue(ImageQuality.ssim(a, b, W, H, left) < 1.0);
    assertTrue(ImageQuality.ssim(a, b, W, H, right) < ImageQuality.ssim(a, b, W, H, left));
  }

  @Test
  @DisplayName("SSIM falls as noise grows and stays within [-1, 1]")
  void ssimOrdersNoise() {
    byte[] a = random(4);
    double last = 1.0;
    for (int amp : new int[] {2, 8, 32, 128}) {
      byte[] b = a.clone();
      Random r = new Random(amp);
      for (int i = 0; i < b.length; i++)
        b[i] = (byte) Math.max(0, Math.min(255, (a[i] & 0xff) + r.nextInt(2 * amp + 1) - amp));
      double s = ImageQuality.ssim(a, b, W, H, all());
      assertTrue(s < last && s >= -1, "SSIM " + s + " at noise ±" + amp + " after " + last);
      last = s;
    }
  }

  @Test
  @DisplayName("an empty mask or mismatched sizes are refused")
  void refusesBadInput() {
    byte[] a = random(5);
    assertThrows(IllegalArgumentException.class, () -> ImageQuality.psnr(a, a, new boolean[W * H]));
    assertThrows(
        IllegalArgumentException.class, () -> ImageQuality.ssim(a, a, W, H, new boolean[W * H]));
    assertThrows(IllegalArgumentException.class, () -> ImageQuality.psnr(a, new byte[3], all()));
    assertThrows(IllegalArgumentException.class, () -> ImageQuality.ssim(a, a, W + 1, H, all()));
  }
}
