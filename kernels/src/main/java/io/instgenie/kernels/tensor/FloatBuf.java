package io.instgenie.kernels.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * An off-heap float array, 64-byte aligned, visible both to Java (buffers) and to native code
 * (pointer).
 */
public final class FloatBuf {
  private static final int ALIGN = 64;

  private final ByteBuffer bytes;
  private final FloatBuffer floats;
  private final FloatPointer pointer;
  private final long size;

  private FloatBuf(long size) {
    if (size < 0 || size > (Integer.MAX_VALUE - 2 * ALIGN) / Float.BYTES) {
      throw new IllegalArgumentException("buffer of " + size + " floats is out of range");
    }
    this.size = size;
    // alignedSlice also rounds the capacity down to the alignment: round up, plus one unit of slack
    int rounded = (int) ((size * Float.BYTES + ALIGN - 1) / ALIGN * ALIGN);
    ByteBuffer raw = ByteBuffer.allocateDirect(rounded + ALIGN);
    this.bytes = raw.alignedSlice(ALIGN).order(ByteOrder.nativeOrder());
    this.bytes.limit((int) size * Float.BYTES);
    this.floats = bytes.asFloatBuffer();
    this.pointer = new FloatPointer(floats);
  }

  /**
   * A view of native memory someone else owns (pinned host memory of the GPU path), {@code
   * direct.capacity()} bytes; the owner keeps it alive while the view is used.
   */
  public static FloatBuf wrap(ByteBuffer direct) {
    return new FloatBuf(direct);
  }

  private FloatBuf(ByteBuffer direct) {
    if (!direct.isDirect()) throw new IllegalArgumentException("a view needs a direct buffer");
    this.bytes = direct.duplicate().order(ByteOrder.nativeOrder());
    this.size = bytes.capacity() / Float.BYTES;
    this.bytes.limit((int) size * Float.BYTES);
    this.floats = bytes.asFloatBuffer();
    this.pointer = new FloatPointer(floats);
  }

  /** A zero-filled buffer of {@code size} floats. */
  public static FloatBuf allocate(long size) {
    return new FloatBuf(size);
  }

  /** A buffer holding a copy of {@code values}. */
  public static FloatBuf of(float[] values) {
    FloatBuf b = new FloatBuf(values.length);
    b.floats.put(0, values);
    return b;
  }

  public long size() {
    return size;
  }

  public float get(long i) {
    return floats.get((int) i);
  }

  public void set(long i, float v) {
    floats.put((int) i, v);
  }

  /** The Java view; absolute get/put only (shared, never flip or move its position). */
  public FloatBuffer floats() {
    return floats;
  }

  /** The byte view in native order, for the Vector API. */
  public ByteBuffer bytes() {
    return bytes;
  }

  /**
   * A native pointer to element {@code offset}; a new object each call so callers never share
   * position.
   */
  public FloatPointer pointer(long offset) {
    return new FloatPointer(pointer).position(offset);
  }

  public void copyFrom(float[] src, int srcOff, long dstOff, int n) {
    floats.put((int) dstOff, src, srcOff, n);
  }

  public void copyTo(long srcOff, float[] dst, int dstOff, int n) {
    floats.get((int) srcOff, dst, dstOff, n);
  }

  /** Copies {@code n} floats from {@code src[srcOff..]} to {@code this[dstOff..]}. */
  public void copyFrom(FloatBuf src, long srcOff, long dstOff, long n) {
    if (srcOff < 0 || dstOff < 0 || srcOff + n > src.size || dstOff + n > size) {
      throw new IndexOutOfBoundsException(
          "copy of "
              + n
              + " floats from "
              + srcOff
              + " (of "
              + src.size
              + ") to "
              + dstOff
              + " (of "
              + size
              + ")");
    }
    floats.put((int) dstOff, src.floats, (int) srcOff, (int) n);
  }

  public void fill(long off, long n, float v) {
    for (long i = off; i < off + n; i++) {
      floats.put((int) i, v);
    }
  }

  public float[] toArray(long off, int n) {
    float[] out = new float[n];
    copyTo(off, out, 0, n);
    return out;
  }
}
