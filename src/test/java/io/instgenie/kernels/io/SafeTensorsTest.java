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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  private static Map<String, TensorData> sample() {
    Random random = new Random(7);
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    tensors.put("z.weight", tensor(new long[] {3, 5}, random));
    tensors.put("a.bias", tensor(new long[] {5}, random));
    tensors.put("scalar", new TensorData(DType.F32, new long[] {}, new float[] {Float.MIN_VALUE}));
    tensors.put("empty", new TensorData(DType.F32, new long[] {0, 4}, new float[0]));
    return tensors;
  }

  private static TensorData tensor(long[] shape, Random random) {
    float[] data = new float[(int) TensorData.product(shape)];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian() * 10;
    }
    return new TensorData(DType.F32, shape, data);
  }

  /** Builds a file by hand: header JSON as given, then the data bytes. */
  private Path handBuilt(String json, byte[] data) throws IOException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf =
        ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(header.length).put(header).put(data);
    Path file = dir.resolve("hand.safetensors");
    Files.write(file, buf.array());
    return file;
  }

  private static byte[] shortsLe(int... values) {
    ByteBuffer buf = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      buf.putShort((short) v);
    }
    return buf.array();
  }

  @Test
  @DisplayName("F32 tensors round-trip bit for bit, in map order, with their shapes")
  void f32RoundTrip() {
    Path file = dir.resolve("m.safetensors");
    Map<String, TensorData> written = sample();
    SafeTensors.write(file, written, DType.F32, null);
    Map<String, TensorData> read = SafeTensors.read(file);
    assertEquals(List.copyOf(written.keySet()), List.copyOf(read.keySet()));
    for (String name : written.keySet()) {
      assertArrayEquals(written.get(name).shape(), read.get(name).shape(), name);
      assertArrayEquals(written.get(name).data(), read.get(name).data(), 0f, name);
      assertEquals(DType.F32, read.get(name).storedAs());
    }
  }

  @Test
  @DisplayName("BF16 round trip equals floatToBf16 rounding exactly and stays within 2^-8 relative")
  void bf16RoundTrip() {
    Path file = dir.resolve("m.safetensors");
    float[] values = {1.0f, -2.5f, 0.1f, 3.14159f, -1e-3f, 65504f, 1e30f, 0f, -0f};
    Map<String, TensorData> tensors =
        Map.of("v", new TensorData(DType.F32, new long[] {values.length}, values));
    SafeTensors.write(file, tensors, DType.BF16, Map.of());
    TensorData read = SafeTensors.read(file).get("v");
    assertEquals(DType.BF16, read.storedAs());
    for (int i = 0; i < values.length; i++) {
      float expected = DType.bf16ToFloat(DType.floatToBf16(values[i]));
      assertEquals(
          Float.floatToIntBits(expected), Float.floatToIntBits(read.data()[i]), "index " + i);
      assertEquals(values[i], read.data()[i], Math.abs(values[i]) * 0x1p-8f, "index " + i);
    }
    assertEquals(1.0f, read.data()[0]);
    assertEquals(-2.5f, read.data()[1]);
  }

  @Test
  @DisplayName("floatToBf16 rounds to nearest even, overflows to infinity and keeps NaN a NaN")
  void bf16Rounding() {
    // 1 + 2^-8 is exactly halfway between 1 and 1 + 2^-7: ties go to the even mantissa, 1.
    assertEquals(1.0f, DType.bf16ToFloat(DType.floatToBf16(1f + 0x1p-8f)));
    // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
    assertEquals(1f + 0x1p-6f, DType.bf16ToFloat(DType.floatToBf16(1f + 3 * 0x1p-8f)));
    assertEquals(1f + 0x1p-7f, DType.bf16ToFloat(DType.floatToBf16(1f + 0x1p-8f + 0x1p-20f)));
    assertEquals(Float.POSITIVE_INFINITY, DType.bf16ToFloat(DType.floatToBf16(Float.MAX_VALUE)));
    assertEquals(
        Float.NEGATIVE_INFINITY, DType.bf16ToFloat(DType.floatToBf16(Float.NEGATIVE_INFINITY)));
    assertTrue(Float.isNaN(DType.bf16ToFloat(DType.floatToBf16(Float.NaN))));
    // A NaN whose payload sits only in the low bits must not truncate to infinity.
    assertTrue(Float.isNaN(DType.bf16ToFloat(DType.floatToBf16(Float.intBitsToFloat(0x7F800001)))));
  }

  @Test
  @DisplayName(
      "F16 is read from known IEEE half bit patterns, subnormals, infinities and NaN included")
  void f16Read() throws IOException {
    int[] bits = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x3555, 0x7C00, 0xFC00, 0x0400, 0x7E00};
    String json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,5],\"data_offsets\":[0,20]}}";
    TensorData h = SafeTensors.read(handBuilt(json, shortsLe(bits))).get("h");
    assertEquals(DType.F16, h.storedAs());
    assertArrayEquals(new long[] {2, 5}, h.shape());
    float[] d = h.data();
    assertEquals(1.0f, d[0]);
    assertEquals(-2.0f, d[1]);
    assertEquals(65504f, d[2]);
    assertEquals(0x1p-24f, d[3]); // smallest subnormal, 5.96e-8
    assertEquals(5.96e-8f, d[3], 1e-10f);
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(d[4]));
    assertEquals(0.333251953125f, d[5]);
    assertEquals(Float.POSITIVE_INFINITY, d[6]);
    assertEquals(Float.NEGATIVE_INFINITY, d[7]);
    assertEquals(0x1p-14f, d[8]); // smallest normal
    assertTrue(Float.isNaN(d[9]));
  }

  @Test
  @DisplayName("BF16 is read from known bit patterns")
  void bf16Read() throws IOException {
    String json = "{\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]}}";
    float[] d = SafeTensors.read(handBuilt(json, shortsLe(0x3F80, 0xC020, 0x3DCD))).get("b").data();
    assertArrayEquals(new float[] {1.0f, -2.5f, 0.10009765625f}, d, 0f);
  }

  @Test
  @DisplayName("a truncated file is rejected with a message naming the file and the tensor")
  void truncated() throws IOException {
    Path file = dir.resolve("m.safetensors");
    SafeTensors.write(file, sample(), DType.F32, null);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(file));
    // 84 data bytes cut to 74: a.bias, at [60, 80], is the first tensor past the end.
    assertTrue(e.getMessage().contains("'a.bias'"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  @DisplayName("files too short for a header, or with an oversized header length, are rejected")
  void badHeaderLength() throws IOException {
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(tiny));
    assertTrue(e.getMessage().contains(tiny.toString()), e.getMessage());

    Path big = dir.resolve("big.safetensors");
    Files.write(big, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(9).array());
    e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(big));
    assertTrue(e.getMessage().contains("header length 9"), e.getMessage());

    Path negative = dir.resolve("negative.safetensors");
    Files.write(
        negative, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
    assertThrows(ModelFormatException.class, () -> SafeTensors.read(negative));
  }

  @Test
  @DisplayName("a dtype other than F32, F16 or BF16 is rejected naming the tensor and the dtype")
  void unsupportedDtype() throws IOException {
    String json = "{\"ids\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    Path file = handBuilt(json, new byte[8]);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(file));
    assertTrue(e.getMessage().contains("'ids'") && e.getMessage().contains("I32"), e.getMessage());
  }

  @Test
  @DisplayName("invalid JSON, wrong byte counts and duplicate names are rejected")
  void badHeaders() throws IOException {
    Path notJson = handBuilt("{\"w\": [", new byte[0]);
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> SafeTensors.read(notJson));
    assertTrue(e.getMessage().contains(notJson.toString()), e.getMessage());

    Path wrongSpan =
        handBuilt("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[12]);
    e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(wrongSpan));
    assertTrue(
        e.getMessage().contains("'w'") && e.getMessage().contains("needs 12"), e.getMessage());

    Path reversed =
        handBuilt("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", new byte[4]);
    assertThrows(ModelFormatException.class, () -> SafeTensors.read(reversed));

    Path duplicate =
        handBuilt(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            new byte[4]);
    assertThrows(ModelFormatException.class, () -> SafeTensors.read(duplicate));

    Path negativeDim =
        handBuilt("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]);
    assertThrows(ModelFormatException.class, () -> SafeTensors.read(negativeDim));
  }

  @Test
  @DisplayName("a missing file is reported as such")
  void missingFile() {
    Path file = dir.resolve("absent.safetensors");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(file));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  @DisplayName("metadata round-trips and is empty when absent")
  void metadata() {
    Path file = dir.resolve("m.safetensors");
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("model", "instgenie \"test\" ü");
    SafeTensors.write(file, sample(), DType.BF16, meta);
    assertEquals(meta, SafeTensors.readMetadata(file));
    assertEquals(List.copyOf(sample().keySet()), List.copyOf(SafeTensors.read(file).keySet()));

    Path bare = dir.resolve("bare.safetensors");
    SafeTensors.write(bare, sample(), DType.F32, null);
    assertEquals(Map.of(), SafeTensors.readMetadata(bare));
  }

  @Test
  @DisplayName(
      "the header is space-padded so data starts 8-byte aligned, and offsets are contiguous")
  void headerLayout() throws IOException {
    for (int extra = 0; extra < 8; extra++) {
      Path file = dir.resolve("m" + extra + ".safetensors");
      SafeTensors.write(file, sample(), DType.F32, Map.of("k", "x".repeat(extra)));
      byte[] bytes = Files.readAllBytes(file);
      long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, (8 + n) % 8, "data start must be 8-byte aligned");
      String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
      assertTrue(header.startsWith("{") && header.strip().endsWith("}"), header);
      assertTrue(
          header.contains("\"data_offsets\":[0,60]") && header.contains("\"data_offsets\":[60,80]"),
          header);
      assertEquals(8 + n + (15 + 5 + 1) * 4, bytes.length);
    }
  }

  @Test
  @DisplayName(
      "writing F16 is refused, and an overwrite replaces the file without leaving temp files")
  void writeRules() throws IOException {
    Path file = dir.resolve("m.safetensors");
    assertThrows(
        IllegalArgumentException.class, () -> SafeTensors.write(file, sample(), DType.F16, null));
    SafeTensors.write(file, sample(), DType.F32, null);
    SafeTensors.write(file, Map.of("only", sample().get("a.bias")), DType.F32, null);
    assertEquals(List.of("only"), List.copyOf(SafeTensors.read(file).keySet()));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  @DisplayName("TensorData rejects a shape that does not match the data length, naming both")
  void tensorDataValidation() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TensorData(DType.F32, new long[] {2, 3}, new float[5]));
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("5"), e.getMessage());
    assertEquals(1, new TensorData(DType.F32, new long[] {}, new float[1]).elements());
  }

  @Test
  @DisplayName("DType names and sizes match safetensors, unknown names are rejected")
  void dtypeParse() {
    assertEquals(DType.BF16, DType.parse("BF16"));
    assertEquals("F16", DType.F16.safetensorsName());
    assertEquals(4, DType.F32.bytes());
    assertEquals(2, DType.BF16.bytes());
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> DType.parse("F64"));
    assertTrue(e.getMessage().contains("F64"), e.getMessage());
  }
}
