package io.instgenie.cache.bench;

/**
 * PSNR and SSIM of two 8-bit RGB images (interleaved, row-major) restricted to a pixel mask: the
 * masked region of an edit, as DESIGN.md reports quality.
 */
public final class ImageQuality {
  private static final double C1 = Math.pow(0.01 * 255, 2);
  private static final double C2 = Math.pow(0.03 * 255, 2);
  private static final int RADIUS = 5; // an 11×11 window
  private static final double SIGMA = 1.5;

  private ImageQuality() {}

  /**
   * PSNR in dB over R, G and B of the masked pixels: 10·log10(255² / MSE), +∞ when they are equal.
   */
  public static double psnr(byte[] a, byte[] b, boolean[] mask) {
    check(a, b, mask);
    double sum = 0;
    long n = 0;
    for (int px = 0; px < mask.length; px++) {
      if (!mask[px]) continue;
      for (int ch = 0; ch < 3; ch++) {
        double d = (a[px * 3 + ch] & 0xff) - (b[px * 3 + ch] & 0xff);
        sum += d * d;
      }
      n += 3;
    }
    if (n == 0) throw new IllegalArgumentException("the mask selects no pixel");
    return sum == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / (sum / n));
  }

  /**
   * Mean over the masked pixels of the SSIM map (Wang et al. 2004) on luminance Y = 0.299·R +
   * 0.587·G + 0.114·B (0..255): Gaussian window 11×11, σ 1.5, mirrored at the image border, C1 =
   * (0.01·255)², C2 = (0.03·255)². Windows of masked pixels near the mask's edge include unmasked
   * pixels.
   */
  public static double ssim(byte[] a, byte[] b, int width, int height, boolean[] mask) {
    check(a, b, mask);
    if (mask.length != width * height)
      throw new IllegalArgumentException(mask.length + " mask pixels for " + width + "x" + height);
    double[] x = luminance(a);
    double[] y = luminance(b);
    double[] xx = new double[x.length];
    double[] yy = new double[x.length];
    double[] xy = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      xx[i] = x[i] * x[i];
      yy[i] = y[i] * y[i];
      xy[i] = x[i] * y[i];
    }
    double[] w = gaussian();
    double[] mx = blur(x, width, height, w);
    double[] my = blur(y, width, height, w);
    double[] sxx = blur(xx, width, height, w);
    double[] syy = blur(yy, width, height, w);
    double[] sxy = blur(xy, width, height, w);
    double sum = 0;
    int n = 0;
    for (int i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      double vx = sxx[i] - mx[i] * mx[i];
      double vy = syy[i] - my[i] * my[i];
      double cov = sxy[i] - mx[i] * my[i];
      // SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2))
      sum +=
          (2 * mx[i] * my[i] + C1)
              * (2 * cov + C2)
              / ((mx[i] * mx[i] + my[i] * my[i] + C1) * (vx + vy + C2));
      n++;
    }
    if (n == 0) throw new IllegalArgumentException("the mask selects no pixel");
    return sum / n;
  }

  /** True when every pixel outside the mask has the same R, G and B in both images. */
  public static boolean identicalOutside(byte[] a, byte[] b, boolean[] mask) {
    check(a, b, mask);
    for (int px = 0; px < mask.length; px++) {
      if (mask[px]) continue;
      for (int ch = 0; ch < 3; ch++) if (a[px * 3 + ch] != b[px * 3 + ch]) return false;
    }
    return true;
  }

  private static double[] luminance(byte[] rgb) {
    double[] out = new double[rgb.length / 3];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          0.299 * (rgb[i * 3] & 0xff)
              + 0.587 * (rgb[i * 3 + 1] & 0xff)
              + 0.114 * (rgb[i * 3 + 2] & 0xff);
    }
    return out;
  }

  /** The normalised 1-D Gaussian of the window; the 2-D window is its outer product. */
  private static double[] gaussian() {
    double[] w = new double[2 * RADIUS + 1];
    double sum = 0;
    for (int i = -RADIUS; i <= RADIUS; i++) {
      w[i + RADIUS] = Math.exp(-(i * i) / (2 * SIGMA * SIGMA));
      sum += w[i + RADIUS];
    }
    for (int i = 0; i < w.length; i++) w[i] /= sum;
    return w;
  }

  /**
   * Separable Gaussian filter, rows then columns, mirroring indices past the border (d c b | a b c
   * d).
   */
  private static double[] blur(double[] img, int width, int height, double[] w) {
    double[] rows = new double[img.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double s = 0;
        for (int k = -RADIUS; k <= RADIUS; k++)
          s += w[k + RADIUS] * img[y * width + mirror(x + k, width)];
        rows[y * width + x] = s;
      }
    }
    double[] out = new double[img.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double s = 0;
        for (int k = -RADIUS; k <= RADIUS; k++)
          s += w[k + RADIUS] * rows[mirror(y + k, height) * width + x];
        out[y * width + x] = s;
      }
    }
    return out;
  }

  private static int mirror(int i, int n) {
    if (n == 1) return 0;
    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
    return i;
  }

  private static void check(byte[] a, byte[] b, boolean[] mask) {
    if (a.length != b.length || a.length != 3 * mask.length) {
      throw new IllegalArgumentException(
          "images of "
              + a.length
              + " and "
              + b.length
              + " bytes with a mask of "
              + mask.length
              + " pixels (need 3 bytes per pixel)");
    }
  }
}
