package io.instgenie.kernels.edit;

import io.instgenie.kernels.backend.Parallel;
import io.instgenie.kernels.cached.BlockSink;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.tensor.FloatBuf;

/** Activations held off-heap in F32: per step one [depth, L, W] buffer, W = H (Y) or 2H (K/V). */
public final class MemoryActivations implements Activations {
  /** Rows per thread below which a gather stays on the calling thread. */
  private static final int GATHER_ROWS = 64;

  private final int steps;
  private final int tokens;
  private final int width;
  private final CacheKind kind;
  private final FloatBuf[] perStep;

  /** Block outputs Y_b. */
  public MemoryActivations(ModelConfig c, int steps) {
    this(c, steps, CacheKind.Y);
  }

  public MemoryActivations(ModelConfig c, int steps, CacheKind kind) {
    this.steps = steps;
    this.tokens = c.imageTokens();
    this.kind = kind;
    this.width = kind.rowWidth(c.hiddenSize());
    this.perStep = new FloatBuf[steps];
    for (int k = 0; k < steps; k++) {
      perStep[k] = FloatBuf.allocate((long) c.depth() * tokens * width);
    }
  }

  /** Bytes held: steps × depth × L × W × 4. */
  public long bytes() {
    return (long) steps * perStep[0].size() * Float.BYTES;
  }

  @Override
  public int steps() {
    return steps;
  }

  @Override
  public CacheKind kind() {
    return kind;
  }

  @Override
  public BlockSink sink(int step) {
    FloatBuf dst = perStep[step];
    return new BlockSink() {
      @Override
      public void accept(int block, FloatBuf y, long off) {
        dst.copyFrom(y, off, (long) block * tokens * width, (long) tokens * width);
      }

      @Override
      public CacheKind kind() {
        return kind;
      }
    };
  }

  @Override
  public BlockSource source(int step) {
    FloatBuf src = perStep[step];
    return new BlockSource() {
      @Override
      public void gather(int block, int[] toks, FloatBuf dst, long dstOff) {
        gather(block, toks, dst, dstOff, width, width);
      }

      @Override
      public void gather(int block, int[] toks, FloatBuf dst, long dstOff, int ld, int w) {
        long base = (long) block * tokens * width;
        Parallel.forRange(
            toks.length,
            GATHER_ROWS,
            (from, to) -> {
              for (int i = from; i < to; i++) {
                dst.copyFrom(src, base + (long) toks[i] * width, dstOff + (long) i * ld, width);
              }
            });
      }

      @Override
      public CacheKind kind() {
        return kind;
      }
    };
  }
}
