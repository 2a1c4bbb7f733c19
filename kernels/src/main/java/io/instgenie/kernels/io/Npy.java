package io.instgenie.kernels.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NumPy .npy files of little-endian float32 (float64 too, when reading). */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** numpy aligns the data start to 64 bytes. */
  private static final int ALIGN = 64;

  /** numpy leaves room for the leading dimension to grow to this many digits in place. */
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;

  private static final Pattern DESCR =
      Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
  private static final Pattern FORTRAN =
      Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

  /** A row-major float32 array and its shape; the arrays are shared, not copied. */
  public record NpyArray(long[] shape, float[] data) {
    public NpyArray {
      Objects.requireNonNull(shape, "shape");
      Objects.requireNonNull(data, "data");
      long elements = TensorData.product(shape);
      if (elements != data.length) {
        throw new IllegalArgumentException(
            "shape "
                + Arrays.toString(shape)
                + " holds "
                + elements
                + " elements but data has "
                + data.length);
      }
    }
  }

  private record Header(String descr, boolean fortranOrder, long[] shape, int dataStart) {}

  private Npy() {}

  /** Reads a version 1.0, 2.0 or 3.0 file with dtype '<f4' or '<f8' in C order. */
  public static NpyArray read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ModelFormatException("npy file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Header header = parseHeader(file, bytes);
    if (header.fortranOrder()) {
      throw new ModelFormatException(
          file + " is stored in Fortran order; only C order is supported");
    }
    int itemSize =
        switch (header.descr()) {
          case "<f4" -> 4;
          case "<f8" -> 8;
          default ->
              throw new ModelFormatException(
                  file + " has dtype '" + header.descr() + "'; only '<f4' and '<f8' are supported");
        };
    long elements = elements(file, header.shape());
    long available = bytes.length - header.dataStart();
    if (elements * itemSize > available) {
      throw new ModelFormatException(
          file
              + " is truncated: shape "
              + Arrays.toString(header.shape())
              + " needs "
              + elements * itemSize
              + " data bytes but only "
              + available
              + " are present");
    }
    ByteBuffer data =
        ByteBuffer.wrap(bytes, header.dataStart(), (int) (elements * itemSize))
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    return new NpyArray(header.shape(), toFloats(data, (int) elements, itemSize));
  }

  /** Writes a version 1.0 '<f4' C-order file, byte for byte as numpy.save would, atomically. */
  public static void write(Path file, long[] shape, float[] data) {
    NpyArray array = new NpyArray(shape, data);
    byte[] header = headerBytes(array.shape());
    AtomicFiles.write(
        file,
        out -> {
          out.write(header);
          writeFloats(out, data);
        });
  }

  /** Little-endian float32 in bounded chunks, so writing never doubles the array's memory. */
  private static void writeFloats(OutputStream out, float[] data) throws IOException {
    int chunk = 1 << 14;
    ByteBuffer buffer = ByteBuffer.allocate(4 * chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < data.length; start += chunk) {
      int n = Math.min(chunk, data.length - start);
      buffer.clear();
      buffer.asFloatBuffer().put(data, start, n);
      out.write(buffer.array(), 0, 4 * n);
    }
  }

  private static Header parseHeader(Path file, byte[] bytes) {
    if (bytes.length < 10 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new ModelFormatException(file + " is not a .npy file: bad magic bytes");
    }
    int major = bytes[6];
    ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength;
    int prefix;
    Charset charset;
    switch (major) {
      case 1 -> {
        headerLength = le.getShort(8) & 0xFFFF;
        prefix = 10;
        charset = StandardCharsets.ISO_8859_1;
      }
      case 2, 3 -> {
        if (bytes.length < 12) {
          throw new ModelFormatException(file + " is truncated inside its .npy header");
        }
        headerLength = le.getInt(8) & 0xFFFFFFFFL;
        prefix = 12;
        charset = major == 2 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
      }
      default ->
          throw new ModelFormatException(
              file
                  + " has .npy format version "
                  + major
                  + "."
                  + bytes[7]
                  + "; only 1.0, 2.0 and 3.0 are supported");
    }
    if (prefix + headerLength > bytes.length) {
      throw new ModelFormatException(
          file + " is truncated: its .npy header runs past the end of the file");
    }
    String dict = new String(bytes, prefix, (int) headerLength, charset);
    return new Header(
        field(file, DESCR, dict, "descr"),
        field(file, FORTRAN, dict, "fortran_order").equals("True"),
        parseShape(file, field(file, SHAPE, dict, "shape")),
        (int) (prefix + headerLength));
  }

  private static String field(Path file, Pattern pattern, String dict, String key) {
    Matcher m = pattern.matcher(dict);
    if (!m.find()) {
      throw new ModelFormatException(
          file + " has a .npy header without a readable '" + key + "': " + dict.strip());
    }
    return m.group(1);
  }

  /** Parses the inside of a Python tuple: "", "5,", "2, 3"; Python 2 files may write "5L". */
  private static long[] parseShape(Path file, String tuple) {
    String[] parts = tuple.split(",");
    long[] shape = new long[parts.length];
    int n = 0;
    for (String part : parts) {
      String digits = part.strip();
      if (digits.endsWith("L")) {
        digits = digits.substring(0, digits.length() - 1);
      }
      if (digits.isEmpty()) {
        continue;
      }
      try {
        shape[n++] = Long.parseLong(digits);
      } catch (NumberFormatException e) {
        throw new ModelFormatException(file + " has a bad .npy shape: (" + tuple + ")", e);
      }
    }
    return Arrays.copyOf(shape, n);
  }

  private static long elements(Path file, long[] shape) {
    long elements;
    try {
      elements = TensorData.product(shape);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file + ": " + e.getMessage(), e);
    }
    // The data lands in a float[] (and its bytes in one buffer), so it must fit an int.
    if (elements > (Integer.MAX_VALUE - 8) / 8) {
      throw new ModelFormatException(
          file + " holds " + elements + " elements, too many for one array");
    }
    return elements;
  }

  private static float[] toFloats(ByteBuffer data, int elements, int itemSize) {
    float[] out = new float[elements];
    if (itemSize == 4) {
      data.asFloatBuffer().get(out);
    } else {
      for (int i = 0; i < elements; i++) {
        out[i] = (float) data.getDouble(8 * i);
      }
    }
    return out;
  }

  /** Mirrors numpy's _write_array_header and _wrap_header for version 1.0. */
  private static byte[] headerBytes(long[] shape) {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + pythonTuple(shape) + ", }";
    if (shape.length > 0) {
      dict += " ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length());
    }
    int prefix = MAGIC.length + 2 + 2;
    int withNewline = dict.length() + 1;
    // numpy pads a full ALIGN bytes when already aligned, never zero; kept for byte-identical
    // files.
    int padding = ALIGN - (prefix + withNewline) % ALIGN;
    int headerLength = withNewline + padding;
    if (headerLength > 0xFFFF) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs a .npy header over 65535 bytes");
    }
    ByteBuffer out = ByteBuffer.allocate(prefix + headerLength).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerLength);
    out.put((dict + " ".repeat(padding) + "\n").getBytes(StandardCharsets.ISO_8859_1));
    return out.array();
  }

  /** Python's repr of a tuple of ints: (), (5,), (2, 3). */
  private static String pythonTuple(long[] shape) {
    if (shape.length == 1) {
      return "(" + shape[0] + ",)";
    }
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append(')').toString();
  }
}
