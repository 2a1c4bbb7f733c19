package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.vertx.core.buffer.Buffer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * Fixtures for service tests: the tiny model, templates and masks, and the check every returned
 * image must pass.
 */
final class TestImages {
  /** 16×16 images, patch 4 (16 tokens), 4 prompt words: a step takes about a millisecond. */
  static final ModelConfig TINY =
      new ModelConfig(ModelConfig.FORMAT, 16, 3, 4, 32, 2, 2, 4, 4, Presets.VOCAB, 4, 3.0f, null);

  static final int SIZE = TINY.imageSize();

  private TestImages() {}

  static DitModel model() {
    return DitModel.random(TINY, 20240607L);
  }

  /** A template of random pixels; different seeds give different templates (and template ids). */
  static RgbImage template(long seed) {
    return random(SIZE, seed);
  }

  static RgbImage random(int size, long seed) {
    byte[] px = new byte[size * size * 3];
    new Random(seed).nextBytes(px);
    return new RgbImage(size, size, px);
  }

  /** A grey-level mask: white (edit) inside the rectangle, black (keep) elsewhere. */
  static RgbImage rectMask(int size, int x0, int y0, int w, int h) {
    byte[] px = new byte[size * size * 3];
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) {
        for (int c = 0; c < 3; c++) px[(y * size + x) * 3 + c] = (byte) 255;
      }
    }
    return new RgbImage(size, size, px);
  }

  /**
   * A rectangle that does not follow token borders (patch 4), so pixel-level compositing is
   * exercised.
   */
  static RgbImage rectMask(int x0, int y0, int w, int h) {
    return rectMask(SIZE, x0, y0, w, h);
  }

  /** Which pixels a grey-level mask marks for editing (level ≥ 128). */
  static boolean[] editPixels(RgbImage mask) {
    boolean[] out = new boolean[mask.width() * mask.height()];
    byte[] p = mask.pixels();
    for (int i = 0; i < out.length; i++) {
      int level = ((p[3 * i] & 0xFF) + (p[3 * i + 1] & 0xFF) + (p[3 * i + 2] & 0xFF) + 1) / 3;
      out[i] = level >= 128;
    }
    return out;
  }

  /**
   * The OpenAI convention: fully transparent pixels inside the rectangle (edit), opaque grey
   * elsewhere.
   */
  static byte[] alphaMaskPng(int x0, int y0, int w, int h) {
    BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        boolean edit = x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
        img.setRGB(x, y, edit ? 0x00FFFFFF : 0xFF808080);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static boolean[] rect(int x0, int y0, int w, int h) {
    boolean[] out = new boolean[SIZE * SIZE];
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) out[y * SIZE + x] = true;
    }
    return out;
  }

  /**
   * A PNG that declares a width × height RGB image in a sound IHDR, with one IDAT of a few bytes
   * that no decoder could expand to it: only a reader of the header sees a valid image.
   */
  static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 4 + 12);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    chunk(
        b,
        "IHDR",
        ByteBuffer.allocate(13)
            .putInt(width)
            .putInt(height)
            .put(new byte[] {8, 2, 0, 0, 0})
            .array());
    chunk(b, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00});
    chunk(b, "IEND", new byte[0]);
    return b.array();
  }

  private static void chunk(ByteBuffer b, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    b.putInt(data.length).put(t).put(data).putInt((int) crc.getValue());
  }

  static byte[] pngBytes(RgbImage image) {
    return Images.encodePng(image);
  }

  static Buffer png(RgbImage image) {
    return Buffer.buffer(pngBytes(image));
  }

  static String base64(RgbImage image) {
    return Base64.getEncoder().encodeToString(pngBytes(image));
  }

  /**
   * The service's promise for every image it returns: a PNG of the template's size whose pixels
   * outside the edit area are byte-identical to the template's.
   */
  static void assertUnmaskedIdentical(RgbImage template, boolean[] edit, byte[] png) {
    assertTrue(
        png.length > 8
            && (png[0] & 0xFF) == 0x89
            && png[1] == 'P'
            && png[2] == 'N'
            && png[3] == 'G',
        "the returned image is not a PNG");
    RgbImage out = Images.decode(png, "result");
    assertEquals(template.width(), out.width(), "result width");
    assertEquals(template.height(), out.height(), "result height");
    int kept = 0;
    for (int px = 0; px < edit.length; px++) {
      if (edit[px]) continue;
      kept++;
      for (int c = 0; c < 3; c++) {
        int i = px * 3 + c;
        int want = template.pixels()[i] & 0xFF;
        int got = out.pixels()[i] & 0xFF;
        if (want != got) {
          throw new AssertionError(
              "unmasked pixel ("
                  + px % out.width()
                  + ", "
                  + px / out.width()
                  + ") channel "
                  + c
                  + " is "
                  + got
                  + " but the template has "
                  + want);
        }
      }
    }
    assertTrue(kept > 0, "the test mask must leave some pixels unmasked");
  }
}
