package io.instgenie.kernels.model;

import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.io.ModelFormatException;
import io.instgenie.kernels.io.TensorData;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** A model's tensors, checked against {@link WeightNames}, held off-heap as F32. */
public final class Weights {
  private final Map<String, FloatBuf> buffers;
  private final String digest;

  private Weights(Map<String, FloatBuf> buffers, String digest) {
    this.buffers = buffers;
    this.digest = digest;
  }

  /** Validates names and shapes (messages name the tensor) and copies the values off-heap. */
  public static Weights of(ModelConfig config, Map<String, TensorData> tensors) {
    Map<String, FloatBuf> out = new LinkedHashMap<>();
    MessageDigest sha = sha256();
    for (Map.Entry<String, long[]> e : WeightNames.expected(config).entrySet()) {
      String name = e.getKey();
      TensorData t = tensors.get(name);
      if (t == null) {
        throw new ModelFormatException(
            "weights: missing tensor '"
                + name
                + "' (expected shape "
                + Arrays.toString(e.getValue())
                + ")");
      }
      if (!Arrays.equals(t.shape(), e.getValue())) {
        throw new ModelFormatException(
            "weights: tensor '"
                + name
                + "' has shape "
                + Arrays.toString(t.shape())
                + ", expected "
                + Arrays.toString(e.getValue()));
      }
      out.put(name, FloatBuf.of(t.data()));
      digestTensor(sha, name, t.data());
    }
    return new Weights(out, HexFormat.of().formatHex(sha.digest()));
  }

  private static void digestTensor(MessageDigest sha, String name, float[] data) {
    sha.update(name.getBytes(StandardCharsets.UTF_8));
    ByteBuffer bb = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(data);
    sha.update(bb.array());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  public FloatBuf get(String name) {
    FloatBuf b = buffers.get(name);
    if (b == null) throw new IllegalArgumentException("no tensor '" + name + "'");
    return b;
  }

  /** SHA-256 over names and F32 values in canonical order: identifies the model in template ids. */
  public String digest() {
    return digest;
  }

  /** The values as heap tensors, in canonical order (for writing). */
  public Map<String, TensorData> toTensors(ModelConfig config) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : WeightNames.expected(config).entrySet()) {
      FloatBuf b = buffers.get(e.getKey());
      out.put(e.getKey(), new TensorData(DType.F32, e.getValue(), b.toArray(0, (int) b.size())));
    }
    return out;
  }
}
