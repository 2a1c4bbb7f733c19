package io.instgenie.cache;

import io.instgenie.kernels.backend.Bf16Lanes;
import io.instgenie.kernels.backend.Parallel;
import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * Storage precision of cached activations: F32 (exact) or BF16 (half the bytes, rounded to nearest
 * even).
 */
public enum Precision {
  F32(4, 1),
  BF16(2, 2);

  /**
   * Rows per thread below which a gather stays on the calling thread (a copy per row, or a
   * vectorised widening for BF16: a masked step's 980 rows of 512 values in about 0.06 ms).
   */
  private static final int GATHER_ROWS = 64;

  /**
   * Whether BF16 values convert on the Vector API in this JVM; without {@code --add-modules
   * jdk.incubator.vector} (the reference backend's case) the scalar loops do, with the same bits.
   */
  static final boolean VECTOR = vectorWorks();

  private final int bytes;
  private final int code;

  /**
   * {@code f32} or {@code bf16} (any case), else {@link IllegalArgumentException} saying that
   * {@code what} (an option's name) must be one of them.
   */
  public static Precision parse(String s, String what) {
    return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
      case "f32" -> F32;
      case "bf16" -> BF16;
      default -> throw new IllegalArgumentException(what + " must be f32 or bf16, got '" + s + "'");
    };
  }

  Precision(int bytes, int code) {
    this.bytes = bytes;
    this.code = code;
  }

  /** Bytes per stored value. */
  public int bytes() {
    return bytes;
  }

  /** The value written in cache file headers; stable across releases. */
  int code() {
    return code;
  }

  static Precision ofCode(int code) {
    for (Precision p : values()) if (p.code == code) return p;
    throw new IllegalArgumentException("unknown precision code " + code);
  }

  /**
   * Encodes {@code n} floats of {@code src} from {@code srcOff} into {@code seg} (little-endian) at
   * value index {@code at}. Absolute accesses only, so shared buffers keep their position.
   */
  void encode(FloatBuf src, long srcOff, ByteBuffer seg, int at, int n) {
    if (this == F32) {
      seg.asFloatBuffer().put(at, src.floats(), (int) srcOff, n);
    } else {
      narrow(src.bytes(), (int) srcOff * 4, seg, seg.position() + at * 2, n);
    }
  }

  /**
   * Decodes rows {@code tokens} (each {@code hid} values) of segment {@code seg} into consecutive
   * rows of {@code dst} from element {@code dstOff}: the gather of the masked forward.
   */
  void gather(ByteBuffer seg, int hid, int[] tokens, FloatBuf dst, long dstOff) {
    gather(seg, hid, tokens, dst, dstOff, hid);
  }

  /** As above, row r written at {@code dstOff + r·ld}. */
  void gather(ByteBuffer seg, int hid, int[] tokens, FloatBuf dst, long dstOff, int ld) {
    // absolute accesses on disjoint rows: the kernel threads split the rows
    if (this == F32) {
      FloatBuffer out = dst.floats();
      FloatBuffer in = seg.asFloatBuffer();
      Parallel.forRange(
          tokens.length,
          GATHER_ROWS,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              out.put((int) (dstOff + (long) i * ld), in, tokens[i] * hid, hid);
            }
          });
    } else {
      ByteBuffer out = dst.bytes();
      int base = seg.position(); // where the segment's values start, as for its views
      Parallel.forRange(
          tokens.length,
          GATHER_ROWS,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              int at = (int) (dstOff + (long) i * ld) * 4;
              widen(seg, base + tokens[i] * hid * 2, out, at, hid);
            }
          });
    }
  }

  /** n BF16 values at byte {@code inOff} of {@code in} as floats at byte {@code outOff} of out. */
  private static void widen(ByteBuffer in, int inOff, ByteBuffer out, int outOff, int n) {
    if (VECTOR) {
      Bf16Lanes.widen(in, inOff, out, outOff, n);
    } else {
      for (int j = 0; j < n; j++)
        out.putFloat(outOff + j * 4, DType.bf16ToFloat(in.getShort(inOff + j * 2)));
    }
  }

  /** n floats at byte {@code inOff} of {@code in} as BF16 values at byte {@code outOff} of out. */
  private static void narrow(ByteBuffer in, int inOff, ByteBuffer out, int outOff, int n) {
    if (VECTOR) {
      Bf16Lanes.narrow(in, inOff, out, outOff, n);
    } else {
      for (int j = 0; j < n; j++)
        out.putShort(outOff + j * 2, DType.floatToBf16(in.getFloat(inOff + j * 4)));
    }
  }

  private static boolean vectorWorks() {
    try {
      Bf16Lanes.widen(ByteBuffer.allocate(128), 0, ByteBuffer.allocate(256), 0, 64);
      return true;
    } catch (Throwable t) { // NoClassDefFoundError without the incubator module
      return false;
    }
  }
}
