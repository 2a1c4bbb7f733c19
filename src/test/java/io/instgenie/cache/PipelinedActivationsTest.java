package io.instgenie.cache;

import static io.instgenie.cache.CacheFixtures.allValues;
import static io.instgenie.cache.CacheFixtures.random;
import static io.instgenie.kernels.cached.BlockMode.CACHE;
import static io.instgenie.kernels.cached.BlockMode.RECOMPUTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelinedActivationsTest {
  // more blocks than the tiny preset, so plans can mix modes and the two buffers wrap around
  private static final ActivationShape F32 = new ActivationShape(3, 6, 16, 32, Precision.F32);
  private static final BlockMode[] MIXED = {CACHE, RECOMPUTE, CACHE, CACHE, RECOMPUTE, CACHE};

  private static int[] someTokens(long seed) {
    Random r = new Random(seed);
    return java.util.stream.IntStream.range(0, 16).filter(i -> r.nextBoolean()).toArray();
  }

  /**
   * Gathers what DitForward would (CACHE blocks only, twice each like two guidance branches) at
   * offset 5.
   */
  private static float[] gatherPlan(
      Activations a, ActivationShape s, BlockMode[] plan, int[] tokens) {
    float[] out = new float[s.steps() * s.depth() * tokens.length * s.hidden() * 2];
    FloatBuf dst = FloatBuf.allocate(5 + (long) tokens.length * s.hidden());
    int at = 0;
    for (int k = 0; k < s.steps(); k++) {
      BlockSource src = a.source(k);
      BlockSource second = a.source(k); // the other branch asks for the same step
      for (int b = 0; b < s.depth(); b++) {
        if (plan[b] != CACHE) continue;
        for (BlockSource x : new BlockSource[] {src, second}) {
          x.gather(b, tokens, dst, 5);
          dst.copyTo(5, out, at, tokens.length * s.hidden());
          at += tokens.length * s.hidden();
        }
      }
    }
    return out;
  }

  @Test
  @DisplayName(
      "pipelined gathers equal plain gathers exactly, F32 and BF16, from memory and from disk, with any plan")
  void equalsUnpipelined(@TempDir Path dir) {
    int[] tokens = someTokens(3);
    DiskTier disk = new DiskTier(dir, 1 << 20, null);
    for (Precision prec : Precision.values()) {
      ActivationShape s = new ActivationShape(3, 6, 16, 32, prec);
      StoredActivations stored = random(s, 7);
      TemplateKey key = new TemplateKey("t" + prec, 3);
      assertTrue(disk.put(key, stored));
      for (BlockMode[] plan : new BlockMode[][] {null, MIXED}) {
        BlockMode[] p =
            plan == null ? new BlockMode[] {CACHE, CACHE, CACHE, CACHE, CACHE, CACHE} : plan;
        float[] expected = gatherPlan(stored, s, p, tokens);
        try (PipelinedActivations mem = new PipelinedActivations(stored, plan);
            PipelinedActivations file =
                new PipelinedActivations(disk.open(key).orElseThrow(), plan)) {
          assertArrayEquals(expected, gatherPlan(mem, s, p, tokens), prec + " from memory");
          assertArrayEquals(expected, gatherPlan(file, s, p, tokens), prec + " from disk");
          int cached = (int) java.util.Arrays.stream(p).filter(m -> m == CACHE).count();
          assertEquals((long) cached * s.steps(), file.blocksLoaded());
          assertEquals(
              (long) (s.depth() - cached) * s.steps(),
              file.blocksSkipped(),
              "RECOMPUTE blocks never read");
          assertEquals(0, file.syncReads());
        }
      }
    }
  }

  @Test
  @DisplayName("gathers outside the plan, out of order, or skipped still return the stored values")
  void offPlanGathers() {
    StoredActivations stored = random(F32, 9);
    int[] tokens = someTokens(4);
    FloatBuf got = FloatBuf.allocate(tokens.length * 32L);
    FloatBuf want = FloatBuf.allocate(tokens.length * 32L);
    try (PipelinedActivations p = new PipelinedActivations(readOnly(stored), MIXED)) {
      BlockSource s0 = p.source(0);
      s0.gather(3, tokens, got, 0); // blocks 0 and 2 never gathered: their buffers are simply freed
      stored.source(0).gather(3, tokens, want, 0);
      assertArrayEquals(want.toArray(0, (int) want.size()), got.toArray(0, (int) got.size()));
      s0.gather(0, tokens, got, 0); // out of order: read directly
      stored.source(0).gather(0, tokens, want, 0);
      assertArrayEquals(want.toArray(0, (int) want.size()), got.toArray(0, (int) got.size()));
      s0.gather(1, tokens, got, 0); // a RECOMPUTE block: read directly
      stored.source(0).gather(1, tokens, want, 0);
      assertArrayEquals(want.toArray(0, (int) want.size()), got.toArray(0, (int) got.size()));
      assertEquals(2, p.syncReads());
      // step 1 starts while step 0's loader still waits for block 5 to be taken
      p.source(1).gather(5, tokens, got, 0);
      stored.source(1).gather(5, tokens, want, 0);
      assertArrayEquals(want.toArray(0, (int) want.size()), got.toArray(0, (int) got.size()));
      p.setPlan(null);
      assertArrayEquals(
          allValues(stored, F32), allValues(p, F32), "a new plan applies from the next step");
    }
  }

  @Test
  @DisplayName(
      "a memory-resident source is gathered in place: no loader read, the plan's cached blocks counted, the same values")
  void residentInPlace() {
    ActivationShape bf16 = new ActivationShape(3, 6, 16, 32, Precision.BF16);
    for (ActivationShape shape : new ActivationShape[] {F32, bf16}) {
      StoredActivations stored = random(shape, 14);
      int[] tokens = someTokens(7);
      BlockMode[] p = MIXED;
      float[] want = gatherPlan(stored, shape, p, tokens);
      try (PipelinedActivations piped = new PipelinedActivations(stored, p)) {
        assertArrayEquals(want, gatherPlan(piped, shape, p, tokens), shape.precision().name());
        FloatBuf got = FloatBuf.allocate(tokens.length * 32L);
        FloatBuf direct = FloatBuf.allocate(tokens.length * 32L);
        piped.source(2).gather(1, tokens, got, 0); // a RECOMPUTE block, outside the plan
        stored.source(2).gather(1, tokens, direct, 0);
        assertArrayEquals(direct.toArray(0, (int) direct.size()), got.toArray(0, (int) got.size()));
        long cached = java.util.Arrays.stream(p).filter(m -> m == CACHE).count();
        assertEquals(cached * shape.steps(), piped.blocksInPlace());
        assertEquals(0, piped.blocksLoaded(), "nothing read by the loader");
        assertEquals(0, piped.syncReads(), "nor directly: RECOMPUTE blocks are in memory too");
        assertEquals(0, piped.bubbleNanos());
      }
    }
  }

  /** The stored segments behind a source that must copy them (as a file does). */
  private static SegmentSource readOnly(StoredActivations stored) {
    return new SegmentSource() {
      @Override
      public ActivationShape shape() {
        return stored.shape();
      }

      @Override
      public void read(int step, int block, ByteBuffer dst) {
        stored.read(step, block, dst);
      }
    };
  }

  @Test
  @DisplayName("BF16 storage holds exactly the round-to-nearest-even bfloat16 of each F32 value")
  void bf16Rounding() {
    StoredActivations f32 = random(F32, 11);
    StoredActivations bf16 =
        random(new ActivationShape(3, 6, 16, 32, Precision.BF16), 11); // same values in
    float[] exact = allValues(f32, F32);
    float[] rounded = allValues(bf16, bf16.shape());
    int inexact = 0;
    for (int i = 0; i < exact.length; i++) {
      float want = DType.bf16ToFloat(DType.floatToBf16(exact[i]));
      assertEquals(
          Float.floatToRawIntBits(want), Float.floatToRawIntBits(rounded[i]), "value " + i);
      if (want != exact[i]) inexact++;
    }
    assertTrue(
        inexact > exact.length / 2, "BF16 really rounds (" + inexact + " of " + exact.length + ")");
    assertEquals(f32.bytes() / 2, bf16.bytes());
    StoredActivations copied = StoredActivations.copyOf(f32, bf16.shape());
    assertArrayEquals(rounded, allValues(copied, copied.shape()), "copyOf rounds the same way");
  }

  @Test
  @DisplayName("compute that outruns a slow loader waits, and the wait is counted as bubble time")
  void bubblesCounted() {
    StoredActivations stored = random(F32, 12);
    AtomicInteger reads = new AtomicInteger();
    SegmentSource slow =
        new SegmentSource() {
          @Override
          public ActivationShape shape() {
            return F32;
          }

          @Override
          public void read(int step, int block, ByteBuffer dst) {
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            reads.incrementAndGet();
            stored.read(step, block, dst);
          }
        };
    int[] tokens = someTokens(5);
    try (PipelinedActivations p = new PipelinedActivations(slow, null)) {
      BlockMode[] all = {CACHE, CACHE, CACHE, CACHE, CACHE, CACHE};
      assertArrayEquals(gatherPlan(stored, F32, all, tokens), gatherPlan(p, F32, all, tokens));
      assertTrue(
          p.bubbleNanos() >= 15_000_000L * F32.segments() / 2,
          "18 reads of 20 ms with nothing to overlap: waited only " + p.bubbleNanos() + " ns");
      assertEquals(F32.segments(), reads.get());
    }
  }

  @Test
  @DisplayName(
      "a corrupt segment met by the loader surfaces at the gather as CorruptSegmentException, and the file is gone")
  void corruptDuringPipeline(@TempDir Path dir) throws Exception {
    DiskTier disk = new DiskTier(dir, 1 << 20, null);
    TemplateKey key = new TemplateKey("t", 3);
    disk.put(key, random(F32, 13));
    TierTest.flip(
        dir.resolve(key.fileName()),
        IgcFile.headerBytes(F32) + 2L * F32.segmentBytes() + 3); // step 0, block 2
    int[] tokens = someTokens(6);
    FloatBuf dst = FloatBuf.allocate(tokens.length * 32L);
    try (PipelinedActivations p = new PipelinedActivations(disk.open(key).orElseThrow(), null)) {
      BlockSource s = p.source(0);
      s.gather(0, tokens, dst, 0);
      s.gather(1, tokens, dst, 0);
      assertThrows(CorruptSegmentException.class, () -> s.gather(2, tokens, dst, 0));
    }
    assertFalse(Files.exists(dir.resolve(key.fileName())));
    assertFalse(disk.contains(key));
  }

  @Test
  @DisplayName(
      "an Error in the loader's read surfaces at the gather as a failure (with the Error as its"
          + " cause) instead of leaving the step waiting for ever")
  void errorInLoaderSurfaces() {
    StoredActivations stored = random(F32, 14);
    SegmentSource dying =
        new SegmentSource() {
          @Override
          public ActivationShape shape() {
            return F32;
          }

          @Override
          public void read(int step, int block, ByteBuffer dst) {
            if (block == 1) throw new OutOfMemoryError("test: no memory for the read");
            stored.read(step, block, dst);
          }
        };
    int[] tokens = someTokens(7);
    FloatBuf dst = FloatBuf.allocate(tokens.length * 32L);
    try (PipelinedActivations p = new PipelinedActivations(dying, null)) {
      BlockSource s = p.source(0);
      s.gather(0, tokens, dst, 0);
      RuntimeException e =
          assertTimeoutPreemptively(
              java.time.Duration.ofSeconds(30),
              () -> assertThrows(RuntimeException.class, () -> s.gather(1, tokens, dst, 0)));
      assertInstanceOf(OutOfMemoryError.class, e.getCause());
      assertTrue(p.loadFailure().isPresent(), "reported for the step loop's restart");
    }
  }
}
