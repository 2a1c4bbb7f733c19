package io.instgenie.kernels.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and writes the safetensors format: u64 LE header length, JSON header, raw data buffer. */
public final class SafeTensors {
  /** Same cap as the reference implementation, so a corrupt length cannot ask for gigabytes. */
  private static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final String METADATA_KEY = "__metadata__";
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** One tensor's header entry; offsets are relative to the start of the data buffer. */
  private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

  private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

  private SafeTensors() {}

  /** Reads every tensor, in header order, widened to float32. */
  public static Map<String, TensorData> read(Path file) {
    try (FileChannel channel = open(file)) {
      Header header = readHeader(file, channel);
      Map<String, TensorData> tensors = new LinkedHashMap<>();
      for (Entry e : header.entries()) {
        ByteBuffer raw =
            readFully(channel, header.dataStart() + e.begin(), (int) (e.end() - e.begin()));
        tensors.put(e.name(), new TensorData(e.dtype(), e.shape(), toFloats(e.dtype(), raw)));
      }
      return tensors;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads only the optional {@code __metadata__} string map; empty when absent. */
  public static Map<String, String> readMetadata(Path file) {
    try (FileChannel channel = open(file)) {
      return readHeader(file, channel).metadata();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes the tensors in map order as F32 or BF16, atomically; metadata may be null or empty. */
  public static void write(
      Path file, Map<String, TensorData> tensors, DType as, Map<String, String> metadata) {
    if (as == DType.F16) {
      throw new IllegalArgumentException("writing F16 is not supported; write F32 or BF16");
    }
    byte[] header = headerBytes(tensors, as, metadata);
    AtomicFiles.write(
        file,
        out -> {
          out.write(
              ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
          out.write(header);
          for (TensorData t : tensors.values()) {
            writeData(out, t.data(), as);
          }
        });
  }

  private static FileChannel open(Path file) throws IOException {
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new ModelFormatException("model file " + file + " does not exist", e);
    }
  }

  private static Header readHeader(Path file, FileChannel channel) throws IOException {
    long size = channel.size();
    if (size < 8) {
      throw new ModelFormatException(
          file
              + " is not a safetensors file: "
              + size
              + " bytes, shorter than the 8-byte header length");
    }
    long headerLength = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength < 0 || headerLength > size - 8 || headerLength > MAX_HEADER_BYTES) {
      throw new ModelFormatException(
          file
              + " is not a safetensors file: header length "
              + Long.toUnsignedString(headerLength)
              + " does not fit in the file's "
              + size
              + " bytes");
    }
    ByteBuffer json = readFully(channel, 8, (int) headerLength);
    long dataStart = 8 + headerLength;
    return parseHeader(file, json.array(), size - dataStart, dataStart);
  }

  private static Header parseHeader(Path file, byte[] json, long dataLength, long dataStart) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new ModelFormatException(
          file + " has an invalid safetensors JSON header: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(file + " has a safetensors header that is not a JSON object");
    }
    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = Map.of();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals(METADATA_KEY)) {
        metadata = parseMetadata(file, field.getValue());
      } else {
        entries.add(parseEntry(file, field.getKey(), field.getValue(), dataLength));
      }
    }
    return new Header(entries, metadata, dataStart);
  }

  private static Map<String, String> parseMetadata(Path file, JsonNode node) {
    if (!node.isObject()) {
      throw new ModelFormatException(file + ": __metadata__ must be a JSON object of strings");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!field.getValue().isTextual()) {
        throw new ModelFormatException(
            file + ": __metadata__ value for '" + field.getKey() + "' must be a string");
      }
      metadata.put(field.getKey(), field.getValue().textValue());
    }
    return metadata;
  }

  private static Entry parseEntry(Path file, String name, JsonNode node, long dataLength) {
    String where = file + ": tensor '" + name + "'";
    if (!node.isObject() || !node.path("dtype").isTextual()) {
      throw new ModelFormatException(where + " needs an object with dtype, shape and data_offsets");
    }
    String dtypeName = node.get("dtype").textValue();
    DType dtype;
    try {
      dtype = DType.parse(dtypeName);
    } catch (ModelFormatException e) {
      throw new ModelFormatException(
          where + " has dtype " + dtypeName + "; only F32, F16 and BF16 can be read", e);
    }
    long[] shape = longs(where, "shape", node.get("shape"), -1);
    long[] offsets = longs(where, "data_offsets", node.get("data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (begin > end || end > dataLength) {
      throw new ModelFormatException(
          where
              + " has data_offsets ["
              + begin
              + ", "
              + end
              + "] outside the "
              + dataLength
              + "-byte data buffer (file truncated?)");
    }
    long expected = expectedBytes(where, shape, dtype);
    if (end - begin != expected) {
      throw new ModelFormatException(
          where
              + " has data_offsets ["
              + begin
              + ", "
              + end
              + "] spanning "
              + (end - begin)
              + " bytes, but shape "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + expected);
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  private static long expectedBytes(String where, long[] shape, DType dtype) {
    long elements;
    try {
      elements = TensorData.product(shape);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(where + ": " + e.getMessage(), e);
    }
    // Widened data lands in a float[], so the element count must fit an int.
    if (elements > Integer.MAX_VALUE - 8) {
      throw new ModelFormatException(
          where + " has " + elements + " elements, too many for one array");
    }
    return elements * dtype.bytes();
  }

  /** Non-negative integer array; {@code length} -1 means any length. */
  private static long[] longs(String where, String key, JsonNode node, int length) {
    if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
      String size = length >= 0 ? " of " + length : "";
      throw new ModelFormatException(
          where + " needs '" + key + "' as an array" + size + " of integers");
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new ModelFormatException(where + " has a bad '" + key + "' entry: " + v);
      }
      values[i] = v.longValue();
    }
    return values;
  }

  private static ByteBuffer readFully(FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
      }
    }
    return buffer.flip().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static float[] toFloats(DType dtype, ByteBuffer raw) {
    float[] out = new float[raw.remaining() / dtype.bytes()];
    if (dtype == DType.F32) {
      raw.asFloatBuffer().get(out);
      return out;
    }
    for (int i = 0; i < out.length; i++) {
      short bits = raw.getShort(2 * i);
      out[i] = dtype == DType.BF16 ? DType.bf16ToFloat(bits) : DType.f16ToFloat(bits);
    }
    return out;
  }

  /** JSON header padded with spaces to a multiple of 8 so the data buffer starts 8-byte aligned. */
  private static byte[] headerBytes(
      Map<String, TensorData> tensors, DType as, Map<String, String> metadata) {
    ObjectNode root = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = root.putObject(METADATA_KEY);
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().equals(METADATA_KEY)) {
        throw new IllegalArgumentException("invalid tensor name '" + e.getKey() + "'");
      }
      ObjectNode entry = root.putObject(e.getKey());
      entry.put("dtype", as.safetensorsName());
      ArrayNode shape = entry.putArray("shape");
      Arrays.stream(e.getValue().shape()).forEach(shape::add);
      long end = offset + e.getValue().elements() * as.bytes();
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(root);
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot serialise safetensors header", e);
    }
    int padded = (json.length + 7) & ~7;
    byte[] header = Arrays.copyOf(json, padded);
    Arrays.fill(header, json.length, padded, (byte) ' ');
    return header;
  }

  private static void writeData(OutputStream out, float[] data, DType as) throws IOException {
    int chunk = 1 << 14;
    ByteBuffer buffer = ByteBuffer.allocate(chunk * as.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < data.length; start += chunk) {
      int n = Math.min(chunk, data.length - start);
      buffer.clear();
      for (int i = start; i < start + n; i++) {
        if (as == DType.F32) {
          buffer.putFloat(data[i]);
        } else {
          buffer.putShort(DType.floatToBf16(data[i]));
        }
      }
      out.write(buffer.array(), 0, buffer.position());
    }
  }
}
