package io.instgenie.kernels.io;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** PNG/JPEG decoding to 8-bit RGB or mask levels, and PNG encoding, via javax.imageio. */
public final class Images {
  /** 64 megapixels: far above what is edited; bounds what a hostile upload can allocate. */
  static final long MAX_PIXELS = 64L * 1024 * 1024;

  private Images() {}

  /** Decodes a PNG or JPEG to 8-bit RGB; grey and palette are expanded, alpha is dropped. */
  public static RgbImage decode(byte[] bytes, String what) {
    return toRgb(decodeImage(bytes, what));
  }

  /** Reads and decodes a PNG or JPEG file. */
  public static RgbImage read(Path file, String what) {
    return decode(readBytes(file, what), what);
  }

  /** Mask levels: the grey value, or the rounded mean of R, G, B; alpha is ignored. */
  public static MaskImage decodeMask(byte[] bytes, String what) {
    RgbImage rgb = decode(bytes, what);
    byte[] p = rgb.pixels();
    byte[] levels = new byte[rgb.width() * rgb.height()];
    for (int i = 0; i < levels.length; i++) {
      int sum = (p[3 * i] & 0xFF) + (p[3 * i + 1] & 0xFF) + (p[3 * i + 2] & 0xFF);
      levels[i] = (byte) ((sum + 1) / 3); // round half up; a grey pixel (v, v, v) gives exactly v
    }
    return new MaskImage(rgb.width(), rgb.height(), levels);
  }

  /** Reads and decodes a mask file, as {@link #decodeMask}. */
  public static MaskImage readMask(Path file, String what) {
    return decodeMask(readBytes(file, what), what);
  }

  /** OpenAI-style mask: fully transparent pixels (to edit) become 255, all others 0. */
  public static MaskImage decodeAlphaMask(byte[] bytes, String what) {
    BufferedImage image = decodeImage(bytes, what);
    ColorModel cm = image.getColorModel();
    if (!cm.hasAlpha()) {
      throw new ImageFormatException(
          what
              + " needs an alpha channel (transparent pixels mark the area to edit), but the image"
              + " has none");
    }
    Raster raster = image.getRaster();
    int w = image.getWidth();
    int h = image.getHeight();
    // Java colour models put alpha last; a palette keeps it in the palette entries instead.
    int alphaBand = cm.getNumComponents() - 1;
    IndexColorModel palette = cm instanceof IndexColorModel icm ? icm : null;
    int bands = raster.getNumBands();
    int[] row = new int[w * bands];
    byte[] levels = new byte[w * h];
    for (int y = 0; y < h; y++) {
      raster.getPixels(0, y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int alpha = palette != null ? palette.getAlpha(row[x]) : row[x * bands + alphaBand];
        levels[y * w + x] = (byte) (alpha == 0 ? 255 : 0);
      }
    }
    return new MaskImage(w, h, levels);
  }

  /** Encodes as an 8-bit RGB PNG. */
  public static byte[] encodePng(RgbImage image) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(asBufferedImage(image));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode PNG: " + e.getMessage(), e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** Writes an 8-bit RGB PNG atomically. */
  public static void writePng(Path file, RgbImage image) {
    byte[] png = encodePng(image);
    AtomicFiles.write(file, out -> out.write(png));
  }

  private static byte[] readBytes(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImageFormatException(what + " file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new ImageFormatException(
          "cannot read " + what + " file " + file + ": " + e.getMessage(), e);
    }
  }

  /** An image's width and height in pixels. */
  public record Dimensions(int width, int height) {}

  /**
   * The width and height a PNG or JPEG declares in its header, its pixels not decoded: a caller
   * that takes one size only refuses a small file that would decode to a huge image before paying
   * for the decoding.
   */
  public static Dimensions dimensions(byte[] bytes, String what) {
    String format = format(bytes, what);
    ImageReader reader = reader(format);
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      return new Dimensions(reader.getWidth(0), reader.getHeight(0));
    } catch (IOException | RuntimeException e) {
      throw unreadable(what, e);
    } finally {
      reader.dispose();
    }
  }

  private static BufferedImage decodeImage(byte[] bytes, String what) {
    String format = format(bytes, what);
    try {
      return readWithImageIo(bytes, format, what);
    } catch (ImageFormatException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw unreadable(what, e);
    }
  }

  /** "png" or "jpeg" from the file's signature; a PNG's chunks are checked here too. */
  private static String format(byte[] bytes, String what) {
    if (bytes == null || bytes.length == 0) {
      throw notReadable(what, "it is empty");
    }
    if (PngChunks.hasSignature(bytes)) {
      String problem = PngChunks.problem(bytes);
      if (problem != null) {
        throw notReadable(what, problem);
      }
      return "png";
    }
    if (bytes.length >= 3
        && (bytes[0] & 0xFF) == 0xFF
        && (bytes[1] & 0xFF) == 0xD8
        && (bytes[2] & 0xFF) == 0xFF) {
      return "jpeg";
    }
    throw notReadable(what, "it starts with neither the PNG nor the JPEG signature");
  }

  /** Decoders throw assorted exceptions on malformed input; all mean "unreadable". */
  private static ImageFormatException unreadable(String what, Exception e) {
    if (e instanceof ImageFormatException f) return f;
    return notReadable(what, String.valueOf(e.getMessage()), e);
  }

  private static ImageReader reader(String format) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new IllegalStateException("no ImageIO reader for " + format);
    }
    return readers.next();
  }

  /** Decodes with ImageIO; a decoder warning (say, a JPEG ending early) is an error. */
  private static BufferedImage readWithImageIo(byte[] bytes, String format, String what)
      throws IOException {
    ImageReader reader = reader(format);
    List<String> warnings = new ArrayList<>();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
      if (pixels > MAX_PIXELS) {
        throw notReadable(
            what,
            reader.getWidth(0) + "x" + reader.getHeight(0) + " exceeds " + MAX_PIXELS + " pixels");
      }
      BufferedImage image = reader.read(0);
      if (!warnings.isEmpty()) {
        throw notReadable(what, warnings.get(0));
      }
      return image;
    } finally {
      reader.dispose();
    }
  }

  /** Converts to 8-bit RGB from raw samples, so grey and sRGB values come through unchanged. */
  private static RgbImage toRgb(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    ColorSpace cs = cm.getColorSpace();
    boolean palette = cm instanceof IndexColorModel;
    boolean grey =
        !palette && cs.getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1;
    boolean srgb = !palette && cs.isCS_sRGB() && cm.getNumColorComponents() == 3;
    if (!palette && !grey && !srgb) {
      // Other colour spaces (say, a JPEG's ICC profile) need a real conversion.
      return viaGetRgb(image);
    }
    Raster raster = image.getRaster();
    int w = image.getWidth();
    int h = image.getHeight();
    int bands = raster.getNumBands();
    int bits = raster.getSampleModel().getSampleSize(0);
    int[] row = new int[w * bands];
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      raster.getPixels(0, y, w, 1, row);
      for (int x = 0, o = 3 * y * w; x < w; x++, o += 3) {
        int s = x * bands;
        if (palette) {
          IndexColorModel icm = (IndexColorModel) cm;
          out[o] = (byte) icm.getRed(row[s]);
          out[o + 1] = (byte) icm.getGreen(row[s]);
          out[o + 2] = (byte) icm.getBlue(row[s]);
        } else {
          out[o] = to8Bit(row[s], bits);
          out[o + 1] = to8Bit(row[grey ? s : s + 1], bits);
          out[o + 2] = to8Bit(row[grey ? s : s + 2], bits);
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static RgbImage viaGetRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    byte[] out = new byte[w * h * 3];
    for (int i = 0; i < argb.length; i++) {
      out[3 * i] = (byte) (argb[i] >> 16);
      out[3 * i + 1] = (byte) (argb[i] >> 8);
      out[3 * i + 2] = (byte) argb[i];
    }
    return new RgbImage(w, h, out);
  }

  /** Rescales a sample of {@code bits} bits to 0..255, rounding to nearest. */
  private static byte to8Bit(int sample, int bits) {
    if (bits == 8) {
      return (byte) sample;
    }
    long max = (1L << bits) - 1;
    return (byte) ((sample * 255L * 2 + max) / (2 * max));
  }

  private static BufferedImage asBufferedImage(RgbImage image) {
    int w = image.width();
    DataBufferByte buffer = new DataBufferByte(image.pixels(), image.pixels().length);
    WritableRaster raster =
        Raster.createInterleavedRaster(
            buffer, w, image.height(), 3 * w, 3, new int[] {0, 1, 2}, null);
    ColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB),
            false,
            false,
            Transparency.OPAQUE,
            DataBuffer.TYPE_BYTE);
    return new BufferedImage(cm, raster, false, null);
  }

  private static ImageFormatException notReadable(String what, String reason) {
    return new ImageFormatException(what + " is not a readable PNG/JPEG image: " + reason);
  }

  private static ImageFormatException notReadable(String what, String reason, Throwable cause) {
    return new ImageFormatException(what + " is not a readable PNG/JPEG image: " + reason, cause);
  }
}
