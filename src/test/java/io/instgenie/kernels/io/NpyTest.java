package io.instgenie.kernels.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path dir;

  private static float[] randomData(int n) {
    Random random = new Random(n);
    float[] data = new float[n];
    for (int i = 0; i < n; i++) {
      data[i] = (float) random.nextGaussian();
    }
    return data;
  }

  /** A file with the given version, header dict and data, built by hand. */
  private Path handBuilt(int major, String dict, byte[] data) throws IOException {
    byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
    int prefix = major == 1 ? 10 : 12;
    ByteBuffer buf =
        ByteBuffer.allocate(prefix + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      buf.putShort((short) header.length);
    } else {
      buf.putInt(header.length);
    }
    buf.put(header).put(data);
    Path file = dir.resolve("hand" + major + ".npy");
    Files.write(file, buf.array());
    return file;
  }

  private static byte[] floatsLe(float... values) {
    ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return buf.array();
  }

  @Test
  @DisplayName("arrays of shape (3, 4, 5), (7,) and () round-trip exactly")
  void roundTrip() {
    for (long[] shape : new long[][] {{3, 4, 5}, {7}, {}, {0, 3}}) {
      float[] data = randomData((int) TensorData.product(shape));
      Path file = dir.resolve("a" + shape.length + ".npy");
      Npy.write(file, shape, data);
      Npy.NpyArray read = Npy.read(file);
      assertArrayEquals(shape, read.shape(), Arrays.toString(shape));
      assertArrayEquals(data, read.data(), 0f, Arrays.toString(shape));
    }
  }

  @Test
  @DisplayName("the header for shape (2, 3) is byte-identical to numpy.save's")
  void headerMatchesNumpy() throws IOException {
    Path file = dir.resolve("h.npy");
    Npy.write(file, new long[] {2, 3}, new float[6]);
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(128 + 24, bytes.length);
    assertArrayEquals(
        new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, Arrays.copyOf(bytes, 10));
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    String expected = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
    assertEquals(expected, new String(bytes, 10, 118, StandardCharsets.ISO_8859_1));
  }

  @Test
  @DisplayName("headers are padded so the data starts on a 64-byte boundary, for any shape")
  void headerAlignment() throws IOException {
    for (long[] shape :
        new long[][] {{}, {1}, {123456789, 0}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0}}) {
      Path file = dir.resolve("align.npy");
      Npy.write(file, shape, new float[(int) TensorData.product(shape)]);
      byte[] bytes = Files.readAllBytes(file);
      int headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
      assertEquals(0, (10 + headerLength) % 64, Arrays.toString(shape));
      assertEquals('\n', bytes[10 + headerLength - 1], Arrays.toString(shape));
    }
  }

  @Test
  @DisplayName("a hand-built version 2.0 file (u32 header length) is read")
  void version2() throws IOException {
    float[] data = {1.5f, -2f, 3.25f, 0f};
    Path file =
        handBuilt(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", floatsLe(data));
    Npy.NpyArray read = Npy.read(file);
    assertArrayEquals(new long[] {2, 2}, read.shape());
    assertArrayEquals(data, read.data(), 0f);
  }

  @Test
  @DisplayName("a version 3.0 file with keys in another order and double quotes is read")
  void version3() throws IOException {
    Path file =
        handBuilt(
            3,
            "{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<f4\"}",
            floatsLe(1f, 2f, 3f));
    assertArrayEquals(new float[] {1f, 2f, 3f}, Npy.read(file).data(), 0f);
  }

  @Test
  @DisplayName("'<f8' data is read and narrowed to float")
  void float64() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(3 * 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.putDouble(0.1).putDouble(-1e10).putDouble(Math.PI);
    Path file =
        handBuilt(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", buf.array());
    assertArrayEquals(new float[] {0.1f, -1e10f, (float) Math.PI}, Npy.read(file).data(), 0f);
  }

  @Test
  @DisplayName(
      "Fortran order, other dtypes, bad magic and truncated data are rejected naming the file")
  void rejects() throws IOException {
    Path fortran =
        handBuilt(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", floatsLe(1f));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Npy.read(fortran));
    assertTrue(
        e.getMessage().contains("Fortran") && e.getMessage().contains(fortran.toString()),
        e.getMessage());

    Path bigEndian =
        handBuilt(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", floatsLe(1f));
    e = assertThrows(ModelFormatException.class, () -> Npy.read(bigEndian));
    assertTrue(e.getMessage().contains("'>f4'"), e.getMessage());

    Path truncated =
        handBuilt(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", floatsLe(1f, 2f));
    e = assertThrows(ModelFormatException.class, () -> Npy.read(truncated));
    assertTrue(
        e.getMessage().contains("truncated") && e.getMessage().contains(truncated.toString()),
        e.getMessage());

    Path magic = dir.resolve("magic.npy");
    Files.write(magic, "PK\3\4 this is a zip, not an npy".getBytes(StandardCharsets.ISO_8859_1));
    e = assertThrows(ModelFormatException.class, () -> Npy.read(magic));
    assertTrue(
        e.getMessage().contains("magic") && e.getMessage().contains(magic.toString()),
        e.getMessage());

    Path cutHeader = dir.resolve("cut.npy");
    Files.write(cutHeader, Arrays.copyOf(Files.readAllBytes(fortran), 30));
    assertThrows(ModelFormatException.class, () -> Npy.read(cutHeader));
  }

  @Test
  @DisplayName("writing data that does not match the shape is refused")
  void writeValidates() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Npy.write(dir.resolve("x.npy"), new long[] {2, 2}, new float[3]));
  }
}
