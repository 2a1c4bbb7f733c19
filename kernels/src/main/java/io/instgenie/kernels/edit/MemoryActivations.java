package io.instgenie.kernels.edit;

import io.instgenie.kernels.dit.BlockSink;
import io.instgenie.kernels.dit.BlockSource;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.tensor.FloatBuf;

/** Activations held off-heap in F32: per step one [depth, L, H] buffer. */
public final class MemoryActivations implements Activations {
  private final int steps;
  private final int tokens;
  private final int hid;
  private final FloatBuf[] perStep;

  public MemoryActivations(ModelConfig c, int steps) {
    this.steps = steps;
    this.tokens = c.imageTokens();
    this.hid = c.hiddenSize();
    this.perStep = new FloatBuf[steps];
    for (int k = 0; k < steps; k++) perStep[k] = FloatBuf.allocate((long) c.depth() * tokens * hid);
  }

  /** Bytes held: steps × depth × L × H × 4. */
  public long bytes() {
    return (long) steps * perStep[0].size() * Float.BYTES;
  }

  @Override
  public int steps() {
    return steps;
  }

  @Override
  public BlockSink sink(int step) {
    FloatBuf dst = perStep[step];
    return (block, y, off) ->
        dst.copyFrom(y, off, (long) block * tokens * hid, (long) tokens * hid);
  }

  @Override
  public BlockSource source(int step) {
    FloatBuf src = perStep[step];
    return (block, toks, dst, dstOff) -> {
      long base = (long) block * tokens * hid;
      for (int i = 0; i < toks.length; i++) {
        dst.copyFrom(src, base + (long) toks[i] * hid, dstOff + (long) i * hid, hid);
      }
    };
  }
}
