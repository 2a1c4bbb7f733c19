package io.instgenie.cache;

import static io.instgenie.cache.CacheFixtures.random;
import static io.instgenie.kernels.cached.BlockMode.CACHE;
import static io.instgenie.kernels.cached.BlockMode.RECOMPUTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PipelinedRefillTest {
  private static final ActivationShape SHAPE = new ActivationShape(2, 5, 16, 32, Precision.F32);
  private static final int[] TOKENS = {1, 2, 8, 13};

  /** What a test source does before each read (it may throw, as a failed read does). */
  private interface BeforeRead {
    void before(int step, int block);
  }

  /** The stored segments, {@code hook} told of each read as it begins. */
  private static SegmentSource observed(StoredActivations stored, BeforeRead hook) {
    return new SegmentSource() {
      @Override
      public ActivationShape shape() {
        return SHAPE;
      }

      @Override
      public void read(int step, int block, ByteBuffer dst) {
        hook.before(step, block);
        stored.read(step, block, dst);
      }
    };
  }

  /** Counts down {@code started[b]} when the loader begins reading block b. */
  private static SegmentSource watched(StoredActivations stored, CountDownLatch[] started) {
    return observed(stored, (step, block) -> started[block].countDown());
  }

  private static CountDownLatch[] latches() {
    CountDownLatch[] l = new CountDownLatch[SHAPE.depth()];
    for (int b = 0; b < l.length; b++) l[b] = new CountDownLatch(1);
    return l;
  }

  private static void assertGathers(StoredActivations stored, BlockSource src, int block) {
    assertGathers(stored, src, 0, block);
  }

  private static void assertGathers(
      StoredActivations stored, BlockSource src, int step, int block) {
    FloatBuf got = FloatBuf.allocate(TOKENS.length * 32L);
    FloatBuf want = FloatBuf.allocate(TOKENS.length * 32L);
    src.gather(block, TOKENS, got, 0);
    stored.source(step).gather(block, TOKENS, want, 0);
    assertArrayEquals(
        want.toArray(0, (int) want.size()), got.toArray(0, (int) got.size()), "block " + block);
  }

  @Test
  @DisplayName(
      "a block's buffer is refilled as soon as every branch has gathered it, before the next block is asked for")
  void refillsAfterLastGather() throws InterruptedException {
    StoredActivations stored = random(SHAPE, 3);
    CountDownLatch[] started = latches();
    BlockMode[] plan = {RECOMPUTE, CACHE, CACHE, CACHE, CACHE};
    try (PipelinedActivations p = new PipelinedActivations(watched(stored, started), plan)) {
      BlockSource prompt = p.source(0);
      BlockSource nullPrompt = p.source(0); // two guidance branches share the step
      assertTrue(started[2].await(5, TimeUnit.SECONDS), "blocks 1 and 2 fill both buffers");
      assertGathers(stored, prompt, 1);
      assertEquals(
          1, started[3].getCount(), "one branch has not gathered block 1 yet: its buffer stays");
      assertGathers(stored, nullPrompt, 1);
      assertTrue(
          started[3].await(5, TimeUnit.SECONDS),
          "block 3 loads into block 1's buffer before block 2 is asked for");
      for (int b = 2; b < SHAPE.depth(); b++) {
        assertGathers(stored, prompt, b);
        assertGathers(stored, nullPrompt, b);
      }
      assertEquals(4, p.blocksLoaded());
      assertEquals(0, p.syncReads(), "every gather served from the buffers");
    }
  }

  @Test
  @DisplayName(
      "the next step's first cached block is read while the step before is still in progress, and"
          + " not read again")
  void readsNextStepAhead() throws InterruptedException {
    StoredActivations stored = random(SHAPE, 4);
    List<String> reads = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch aheadRead = new CountDownLatch(1);
    SegmentSource recording =
        observed(
            stored,
            (step, block) -> {
              reads.add(step + "/" + block);
              if (step == 1) aheadRead.countDown();
            });
    BlockMode[] plan = {RECOMPUTE, CACHE, CACHE, CACHE, CACHE};
    try (PipelinedActivations p = new PipelinedActivations(recording, plan)) {
      BlockSource s0 = p.source(0);
      for (int b = 1; b < SHAPE.depth(); b++) assertGathers(stored, s0, 0, b);
      assertTrue(aheadRead.await(5, TimeUnit.SECONDS), "step 1's block 1 read during step 0");
      assertEquals("1/1", reads.get(reads.size() - 1));
      BlockSource s1 = p.source(1);
      for (int b = 1; b < SHAPE.depth(); b++) assertGathers(stored, s1, 1, b);
      assertEquals(
          List.of("0/1", "0/2", "0/3", "0/4", "1/1", "1/2", "1/3", "1/4"),
          reads,
          "each block read once, in order; none for the step after the last");
      assertEquals(8, p.blocksLoaded());
      assertEquals(1, p.blocksReadAhead());
      assertEquals(0, p.syncReads());
    }
  }

  @Test
  @DisplayName(
      "a read ahead that fails is reported at that block's gather in the next step, and the"
          + " segment is not read a second time")
  void failedReadAheadReportedOnce() throws InterruptedException {
    StoredActivations stored = random(SHAPE, 5);
    AtomicInteger badReads = new AtomicInteger();
    CountDownLatch aheadRead = new CountDownLatch(1);
    SegmentSource failing =
        observed(
            stored,
            (step, block) -> {
              if (step == 1 && block == 1) {
                badReads.incrementAndGet();
                aheadRead.countDown();
                throw new CorruptSegmentException(
                    new TemplateKey("t", 2), "step 1 block 1: checksum mismatch");
              }
            });
    BlockMode[] plan = {RECOMPUTE, CACHE, CACHE, CACHE, CACHE};
    try (PipelinedActivations p = new PipelinedActivations(failing, plan)) {
      BlockSource s0 = p.source(0);
      for (int b = 1; b < SHAPE.depth(); b++) assertGathers(stored, s0, 0, b);
      assertTrue(aheadRead.await(5, TimeUnit.SECONDS), "step 1's block 1 read ahead");
      BlockSource s1 = p.source(1);
      FloatBuf dst = FloatBuf.allocate(TOKENS.length * 32L);
      CorruptSegmentException e =
          assertThrows(CorruptSegmentException.class, () -> s1.gather(1, TOKENS, dst, 0));
      assertTrue(e.getMessage().contains("checksum"), e.getMessage());
      assertEquals(1, badReads.get(), "the failed segment was read once");
      assertTrue(p.loadFailure().isPresent());
    }
  }
}
