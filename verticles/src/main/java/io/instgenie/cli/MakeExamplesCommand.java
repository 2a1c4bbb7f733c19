package io.instgenie.cli;

import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code instgenie make-examples}: draws the bundled example template and mask (nothing
 * downloaded).
 */
@Command(
    name = "make-examples",
    description = "Draw an example template (a simple scene) and a mask.")
final class MakeExamplesCommand implements Callable<Integer> {
  @Option(names = "--out", defaultValue = "examples")
  Path out;

  @Option(names = "--size", defaultValue = "128")
  int size;

  @Override
  public Integer call() throws Exception {
    if (size < 16) throw new IllegalArgumentException("--size must be at least 16");
    Files.createDirectories(out);
    Images.writePng(out.resolve("template.png"), rgb(scene()));
    Images.writePng(out.resolve("mask.png"), rgb(mask()));
    System.out.println("wrote " + out.resolve("template.png") + " and " + out.resolve("mask.png"));
    return 0;
  }

  /** A blue-to-white gradient sky, a yellow square and a green circle on the left half. */
  private BufferedImage scene() {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    g.setPaint(new GradientPaint(0, 0, new Color(70, 110, 200), 0, size, new Color(235, 240, 250)));
    g.fillRect(0, 0, size, size);
    g.setColor(new Color(240, 200, 40));
    g.fillRect(size / 8, size / 2, size / 4, size / 4);
    g.setColor(new Color(40, 160, 70));
    g.fillOval(size / 8, size / 8, size / 4, size / 4);
    g.dispose();
    return img;
  }

  /** White (edit) square on the right half, black elsewhere. */
  private BufferedImage mask() {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(size * 9 / 16, size * 5 / 16, size * 5 / 16, size * 5 / 16);
    g.dispose();
    return img;
  }

  private static RgbImage rgb(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = img.getRGB(x, y);
        int at = (y * w + x) * 3;
        px[at] = (byte) (v >> 16);
        px[at + 1] = (byte) (v >> 8);
        px[at + 2] = (byte) v;
      }
    }
    return new RgbImage(w, h, px);
  }
}
