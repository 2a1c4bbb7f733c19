package io.instgenie.kernels.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
  @TempDir Path dir;

  private static RgbImage randomRgb(int w, int h, long seed) {
    byte[] pixels = new byte[w * h * 3];
    new Random(seed).nextBytes(pixels);
    return new RgbImage(w, h, pixels);
  }

  /** Encodes with ImageIO directly, so the decoder is checked against an independent encoder. */
  private static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), "no writer for " + format);
    return out.toByteArray();
  }

  /** The PNG colour type from the IHDR chunk: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  private static int pngColourType(byte[] png) {
    return png[25];
  }

  private static void assertNotReadable(byte[] bytes, String what) {
    ImageFormatException e =
        assertThrows(ImageFormatException.class, () -> Images.decode(bytes, what));
    assertTrue(
        e.getMessage().startsWith(what + " ") && e.getMessage().contains("not a readable PNG/JPEG"),
        e.getMessage());
  }

  /** Offset of the first chunk of the given type. */
  private static int chunkOffset(byte[] png, String type) {
    for (int pos = 8; pos + 8 <= png.length; ) {
      int length =
          ((png[pos] & 0xFF) << 24)
              | ((png[pos + 1] & 0xFF) << 16)
              | ((png[pos + 2] & 0xFF) << 8)
              | (png[pos + 3] & 0xFF);
      if (new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1).equals(type)) {
        return pos;
      }
      pos += 12 + length;
    }
    throw new AssertionError("no " + type + " chunk");
  }

  @Test
  @DisplayName("an RGB image survives encodePng and decode exactly, as does writePng and read")
  void rgbRoundTrip() {
    RgbImage image = randomRgb(37, 23, 1);
    byte[] png = Images.encodePng(image);
    assertEquals(2, pngColourType(png));
    RgbImage back = Images.decode(png, "template");
    assertEquals(37, back.width());
    assertEquals(23, back.height());
    assertArrayEquals(image.pixels(), back.pixels());

    Path file = dir.resolve("out.png");
    Images.writePng(file, image);
    assertArrayEquals(image.pixels(), Images.read(file, "template").pixels());
  }

  @Test
  @DisplayName("dimensions reads a PNG's and a JPEG's size from the header; junk is unreadable")
  void dimensions() throws IOException {
    assertEquals(
        new Images.Dimensions(37, 23),
        Images.dimensions(Images.encodePng(randomRgb(37, 23, 2)), "image"));
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(12, 5, BufferedImage.TYPE_INT_RGB), "jpeg", jpeg);
    assertEquals(new Images.Dimensions(12, 5), Images.dimensions(jpeg.toByteArray(), "image"));
    ImageFormatException e =
        assertThrows(
            ImageFormatException.class,
            () -> Images.dimensions("not an image".getBytes(StandardCharsets.US_ASCII), "mask"));
    assertTrue(e.getMessage().contains("mask"), e.getMessage());
  }

  @Test
  @DisplayName("an RGB PNG from another encoder decodes to exactly its pixel values")
  void rgbFromImageIo() throws IOException {
    BufferedImage source = new BufferedImage(16, 9, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(2);
    for (int y = 0; y < 9; y++) {
      for (int x = 0; x < 16; x++) {
        source.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    RgbImage decoded = Images.decode(encode(source, "png"), "template");
    for (int y = 0; y < 9; y++) {
      for (int x = 0; x < 16; x++) {
        int rgb = source.getRGB(x, y);
        int i = 3 * (y * 16 + x);
        assertEquals((rgb >> 16) & 0xFF, decoded.pixels()[i] & 0xFF);
        assertEquals((rgb >> 8) & 0xFF, decoded.pixels()[i + 1] & 0xFF);
        assertEquals(rgb & 0xFF, decoded.pixels()[i + 2] & 0xFF);
      }
    }
  }

  @Test
  @DisplayName("an 8-bit grey PNG pixel v decodes to exactly (v, v, v), with no gamma conversion")
  void greyExact() throws IOException {
    BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = grey.getRaster();
    for (int v = 0; v < 256; v++) {
      raster.setSample(v % 16, v / 16, 0, v);
    }
    byte[] png = encode(grey, "png");
    assertEquals(0, pngColourType(png));
    RgbImage decoded = Images.decode(png, "template");
    for (int v = 0; v < 256; v++) {
      for (int c = 0; c < 3; c++) {
        assertEquals(v, decoded.pixels()[3 * v + c] & 0xFF, "grey " + v + " channel " + c);
      }
    }
    MaskImage mask = Images.decodeMask(png, "mask");
    for (int v = 0; v < 256; v++) {
      assertEquals(v, mask.level(v % 16, v / 16), "grey " + v);
    }
  }

  @Test
  @DisplayName("a 16-bit grey PNG is scaled to 8 bits with rounding")
  void grey16() throws IOException {
    BufferedImage grey = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
    int[] samples = {0, 65535, 32896, 128};
    grey.getRaster().setPixels(0, 0, 4, 1, samples);
    MaskImage mask = Images.decodeMask(encode(grey, "png"), "mask");
    assertArrayEquals(new byte[] {0, (byte) 255, (byte) 128, 0}, mask.levels());
  }

  @Test
  @DisplayName("palette and RGBA PNGs decode to their exact RGB values, alpha dropped")
  void paletteAndRgba() throws IOException {
    byte[] r = {10, (byte) 200, 0};
    byte[] g = {20, 0, (byte) 255};
    byte[] b = {30, 100, 7};
    BufferedImage indexed =
        new BufferedImage(
            3, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 3, r, g, b));
    indexed.getRaster().setPixels(0, 0, 3, 1, new int[] {2, 0, 1});
    byte[] png = encode(indexed, "png");
    assertEquals(3, pngColourType(png));
    assertArrayEquals(
        new byte[] {0, (byte) 255, 7, 10, 20, 30, (byte) 200, 0, 100},
        Images.decode(png, "t").pixels());

    BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(0, 0, 0x80112233);
    rgba.setRGB(1, 0, 0x00445566);
    byte[] rgbaPng = encode(rgba, "png");
    assertEquals(6, pngColourType(rgbaPng));
    assertArrayEquals(
        new byte[] {0x11, 0x22, 0x33, 0x44, 0x55, 0x66}, Images.decode(rgbaPng, "t").pixels());
  }

  @Test
  @DisplayName("a PNG cut inside IDAT, or before IEND, is rejected naming the input")
  void truncatedPng() {
    byte[] png = Images.encodePng(randomRgb(64, 64, 3));
    int idat = chunkOffset(png, "IDAT");
    assertNotReadable(Arrays.copyOf(png, idat + 8 + 100), "template");
    assertNotReadable(Arrays.copyOf(png, chunkOffset(png, "IEND")), "template");
    assertNotReadable(Arrays.copyOf(png, png.length - 1), "mask");
    assertNotReadable(Arrays.copyOf(png, 8), "template");

    byte[] corrupted = png.clone();
    corrupted[idat + 8 + 50] ^= 0x5A;
    assertNotReadable(corrupted, "template");
  }

  @Test
  @DisplayName("empty input, random bytes and a truncated JPEG are rejected naming the input")
  void garbage() throws IOException {
    assertNotReadable(new byte[0], "template");
    byte[] random = new byte[1000];
    new Random(4).nextBytes(random);
    assertNotReadable(random, "template");
    assertNotReadable("not an image at all".getBytes(StandardCharsets.US_ASCII), "mask");

    BufferedImage photo = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(5);
    for (int i = 0; i < 64 * 64; i++) {
      photo.setRGB(i % 64, i / 64, r.nextInt(1 << 24));
    }
    byte[] jpeg = encode(photo, "jpeg");
    assertEquals(64, Images.decode(jpeg, "template").width());
    assertNotReadable(Arrays.copyOf(jpeg, jpeg.length / 2), "template");
    assertNotReadable(Arrays.copyOf(jpeg, 3), "template");
  }

  @Test
  @DisplayName("a JPEG decodes close to its source colours")
  void jpegDecodes() throws IOException {
    BufferedImage flat = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < 256; i++) {
      flat.setRGB(i % 16, i / 16, 0x3C78B4); // (60, 120, 180)
    }
    RgbImage decoded = Images.decode(encode(flat, "jpeg"), "template");
    int[] expected = {60, 120, 180};
    for (int i = 0; i < decoded.pixels().length; i++) {
      assertEquals(expected[i % 3], decoded.pixels()[i] & 0xFF, 4, "byte " + i);
    }
  }

  @Test
  @DisplayName("RGB mask levels are the rounded mean of R, G and B")
  void rgbMaskLevels() {
    byte[] pixels = {
      10, 20, 31, 10, 20, 32, 0, 0, 1, (byte) 255, (byte) 255, (byte) 255, 0, 0, 2, 90, 0, 0
    };
    MaskImage mask = Images.decodeMask(Images.encodePng(new RgbImage(3, 2, pixels)), "mask");
    assertEquals(3, mask.width());
    assertEquals(2, mask.height());
    assertArrayEquals(new byte[] {20, 21, 0, (byte) 255, 1, 30}, mask.levels());
  }

  @Test
  @DisplayName("alpha masks mark fully transparent pixels 255 and everything else 0")
  void alphaMask() throws IOException {
    BufferedImage rgba = new BufferedImage(4, 1, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(0, 0, 0x00FFFFFF);
    rgba.setRGB(1, 0, 0x01000000);
    rgba.setRGB(2, 0, 0xFF000000);
    rgba.setRGB(3, 0, 0x00000000);
    assertArrayEquals(
        new byte[] {(byte) 255, 0, 0, (byte) 255},
        Images.decodeAlphaMask(encode(rgba, "png"), "mask").levels());

    byte[] grey = {0, (byte) 255};
    byte[] alpha = {0, (byte) 255};
    BufferedImage indexed =
        new BufferedImage(
            2,
            1,
            BufferedImage.TYPE_BYTE_INDEXED,
            new IndexColorModel(1, 2, grey, grey, grey, alpha));
    indexed.getRaster().setPixels(0, 0, 2, 1, new int[] {1, 0});
    assertArrayEquals(
        new byte[] {0, (byte) 255},
        Images.decodeAlphaMask(encode(indexed, "png"), "mask").levels());

    byte[] opaque = Images.encodePng(randomRgb(2, 2, 6));
    ImageFormatException e =
        assertThrows(ImageFormatException.class, () -> Images.decodeAlphaMask(opaque, "mask"));
    assertTrue(
        e.getMessage().contains("mask") && e.getMessage().contains("alpha channel"),
        e.getMessage());
  }

  @Test
  @DisplayName("a missing file is reported with its path and what it was for")
  void missingFile() {
    Path file = dir.resolve("nope.png");
    ImageFormatException e =
        assertThrows(ImageFormatException.class, () -> Images.read(file, "template"));
    assertTrue(
        e.getMessage().contains(file.toString()) && e.getMessage().contains("template"),
        e.getMessage());
    assertThrows(ImageFormatException.class, () -> Images.readMask(file, "mask"));
  }

  @Test
  @DisplayName("RgbImage and MaskImage reject sizes that do not match their buffers")
  void recordValidation() {
    assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new byte[11]));
    assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 2, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new MaskImage(2, 2, new byte[3]));
  }
}
