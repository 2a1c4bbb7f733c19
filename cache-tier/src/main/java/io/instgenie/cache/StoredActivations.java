package io.instgenie.cache;

import io.instgenie.kernels.cached.BlockSink;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A template's activations held off-heap in the configured precision and kind: one little-endian
 * buffer of L rows (H values for Y, 2H for K/V) per (step, block). Written once by a template run
 * through {@link #sink}, then read concurrently by any number of edits (BF16 is widened on gather).
 */
public final class StoredActivations implements Activations, SegmentSource {
  private final ActivationShape shape;
  private final ByteBuffer[] segments;
  private final boolean[] written;
  private int writtenCount;
  // set once every segment is written; lets gathers skip the lock
  private volatile boolean sealed;

  private StoredActivations(ActivationShape shape) {
    this.shape = shape;
    this.segments = new ByteBuffer[shape.segments()];
    this.written = new boolean[shape.segments()];
    for (int i = 0; i < segments.length; i++) {
      segments[i] = ByteBuffer.allocateDirect(shape.segmentBytes()).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /** Zero-filled, every segment unwritten: the target of a template run. */
  public static StoredActivations allocate(ActivationShape shape) {
    return new StoredActivations(Objects.requireNonNull(shape, "shape"));
  }

  /**
   * Copies (and rounds, for BF16) any activations of the given geometry, reading every token of
   * every block.
   */
  public static StoredActivations copyOf(Activations src, ActivationShape shape) {
    if (src.steps() != shape.steps()) {
      throw new IllegalArgumentException(
          "activations hold " + src.steps() + " steps, the shape " + shape.steps());
    }
    StoredActivations out = allocate(shape);
    int[] all = new int[shape.tokens()];
    for (int i = 0; i < all.length; i++) all[i] = i;
    FloatBuf rows = FloatBuf.allocate(shape.segmentValues());
    for (int k = 0; k < shape.steps(); k++) {
      BlockSource from = src.source(k);
      BlockSink to = out.sink(k);
      for (int b = 0; b < shape.depth(); b++) {
        from.gather(b, all, rows, 0);
        to.accept(b, rows, 0);
      }
    }
    return out;
  }

  @Override
  public ActivationShape shape() {
    return shape;
  }

  public Precision precision() {
    return shape.precision();
  }

  /** Bytes held off-heap (what a memory tier charges). */
  public long bytes() {
    return shape.totalBytes();
  }

  /** True once every (step, block) segment has been written: only then may it be cached. */
  public synchronized boolean complete() {
    return writtenCount == segments.length;
  }

  @Override
  public int steps() {
    return shape.steps();
  }

  @Override
  public CacheKind kind() {
    return shape.kind();
  }

  @Override
  public BlockSink sink(int step) {
    shape.index(step, 0);
    return new BlockSink() {
      @Override
      public void accept(int block, FloatBuf y, long off) {
        int i = shape.index(step, block);
        shape.precision().encode(y, off, segments[i], 0, shape.segmentValues());
        markWritten(i);
      }

      @Override
      public CacheKind kind() {
        return shape.kind();
      }
    };
  }

  /**
   * Once every segment is written the values never change, so the source carries a device key
   * (these activations, this step) and a GPU backend may keep the step in device memory.
   */
  @Override
  public BlockSource source(int step) {
    shape.index(step, 0);
    Object key = sealed ? new DeviceKey(this, step) : null;
    return new BlockSource() {
      @Override
      public void gather(int block, int[] tokens, FloatBuf dst, long dstOff) {
        gather(block, tokens, dst, dstOff, shape.rowWidth(), shape.rowWidth());
      }

      @Override
      public void gather(int block, int[] tokens, FloatBuf dst, long dstOff, int ld, int width) {
        int i = shape.index(step, block);
        requireWritten(i, step, block);
        shape.precision().gather(segments[i], shape.rowWidth(), tokens, dst, dstOff, ld);
      }

      @Override
      public CacheKind kind() {
        return shape.kind();
      }

      @Override
      public Object deviceKey() {
        return key;
      }
    };
  }

  /** Identity of one step of one sealed set of activations (identity equality on the owner). */
  private record DeviceKey(StoredActivations owner, int step) {
    @Override
    public boolean equals(Object o) {
      return o instanceof DeviceKey k && k.owner == owner && k.step == step;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(owner) * 31 + step;
    }
  }

  @Override
  public void read(int step, int block, ByteBuffer dst) {
    int i = shape.index(step, block);
    requireWritten(i, step, block);
    dst.put(0, segments[i], 0, shape.segmentBytes());
  }

  /**
   * Held in memory: a view of the segment itself once written (not a read-only buffer, whose bulk
   * copies are slower; no reader writes through it).
   */
  @Override
  public ByteBuffer resident(int step, int block) {
    requireWritten(shape.index(step, block), step, block);
    return segment(step, block);
  }

  /** A private view of segment (step, block), position 0, little-endian; never write through it. */
  ByteBuffer segment(int step, int block) {
    return segments[shape.index(step, block)].duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Fills segment (step, block) from {@code src[0 .. segmentBytes)}: loading from another tier. */
  void fill(int step, int block, ByteBuffer src) {
    int i = shape.index(step, block);
    segments[i].put(0, src, 0, shape.segmentBytes());
    markWritten(i);
  }

  private synchronized void markWritten(int i) {
    if (!written[i]) {
      written[i] = true;
      writtenCount++;
      sealed = writtenCount == segments.length;
    }
  }

  private void requireWritten(int i, int step, int block) {
    if (sealed) return;
    boolean ok;
    synchronized (this) {
      ok = written[i];
    }
    if (!ok) {
      throw new IllegalStateException(
          "segment (step " + step + ", block " + block + ") was never written");
    }
  }
}
