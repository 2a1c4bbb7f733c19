package io.instgenie.cache;

import static io.instgenie.cache.CacheFixtures.random;
import static io.instgenie.kernels.cached.BlockMode.CACHE;
import static io.instgenie.kernels.cached.BlockMode.RECOMPUTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LoadedStepTest {
  private static final int[] TOKENS = {0, 3, 4, 9, 15};

  @Test
  @DisplayName(
      "load-then-compute gathers exactly what the stored activations gather, F32 and BF16, at an offset")
  void equalsStored() {
    for (Precision p : Precision.values()) {
      ActivationShape s = new ActivationShape(3, 4, 16, 32, p);
      StoredActivations stored = random(s, 5);
      LoadedStep step = new LoadedStep(s);
      FloatBuf got = FloatBuf.allocate(7 + TOKENS.length * 32L);
      FloatBuf want = FloatBuf.allocate(7 + TOKENS.length * 32L);
      for (int k : new int[] {2, 0}) { // reused buffers, steps in any order
        step.load(stored, k, null);
        for (int b = 0; b < s.depth(); b++) {
          step.gather(b, TOKENS, got, 7);
          stored.source(k).gather(b, TOKENS, want, 7);
          assertArrayEquals(
              want.toArray(0, (int) want.size()),
              got.toArray(0, (int) got.size()),
              p + " step " + k + " block " + b);
        }
      }
    }
  }

  @Test
  @DisplayName("blocks the plan recomputes are never read, and gathering one fails loudly")
  void skipsRecomputedBlocks() {
    ActivationShape s = new ActivationShape(2, 4, 16, 32, Precision.F32);
    StoredActivations stored = random(s, 6);
    AtomicInteger reads = new AtomicInteger();
    SegmentSource counting =
        new SegmentSource() {
          @Override
          public ActivationShape shape() {
            return s;
          }

          @Override
          public void read(int step, int block, ByteBuffer dst) {
            reads.incrementAndGet();
            stored.read(step, block, dst);
          }
        };
    LoadedStep step =
        new LoadedStep(s).load(counting, 1, new BlockMode[] {RECOMPUTE, CACHE, RECOMPUTE, CACHE});
    assertEquals(2, reads.get());
    FloatBuf dst = FloatBuf.allocate(TOKENS.length * 32L);
    step.gather(3, TOKENS, dst, 0);
    assertThrows(IllegalStateException.class, () -> step.gather(0, TOKENS, dst, 0));
    assertThrows(
        IllegalArgumentException.class, () -> step.load(counting, 0, new BlockMode[] {CACHE}));
  }
}
