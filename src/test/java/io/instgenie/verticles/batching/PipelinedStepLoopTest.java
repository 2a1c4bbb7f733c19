package io.instgenie.verticles.batching;

import static io.instgenie.kernels.cached.BlockMode.CACHE;
import static io.instgenie.kernels.cached.BlockMode.RECOMPUTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.CacheConfig;
import io.instgenie.cache.CostModel;
import io.instgenie.cache.LinearFit;
import io.instgenie.cache.PipelinedActivations;
import io.instgenie.cache.Precision;
import io.instgenie.cache.SegmentSource;
import io.instgenie.cache.StoredActivations;
import io.instgenie.cache.TemplateCache;
import io.instgenie.cache.TemplateKey;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Timings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step loop reading a template from disk through the pipelined loader, its blocks planned by
 * Algorithm 1 on given costs. CACHE and RECOMPUTE are different computations (a cached row is the
 * template's, a recomputed one sees the edit), so plans are pinned by the costs and each run is
 * compared, byte for byte, with the unpipelined engine running the same plan on the same
 * activations in memory.
 */
class PipelinedStepLoopTest {
  private static final ModelConfig C = Presets.tiny();
  private static final DitModel MODEL = DitModel.random(C, 5);
  private static final EditEngine ENGINE = new EditEngine(MODEL, new CpuBackend(), 1);
  private static final int STEPS = 6;

  /** 1 ms per GFLOP: a block that uses the cache computes fewer rows, so it costs less. */
  private static final LinearFit COMPUTE = new LinearFit(0, 1e-9, 1, 6);

  private static PreparedEdit edit(long seed) {
    return TinyEdits.edit(MODEL, seed, STEPS);
  }

  /** The template run of {@code p} as the cache stores it (F32). */
  private static StoredActivations templateRun(PreparedEdit p) {
    return StoredActivations.copyOf(
        ENGINE.templateRun(
            p.templateTokens(),
            p.templateNoise(),
            STEPS,
            io.instgenie.kernels.edit.StepListener.NONE),
        ActivationShape.of(C, STEPS, Precision.F32));
  }

  /** A cache whose memory tier holds nothing (0 bytes): the template lives on disk only. */
  private static TemplateCache onDisk(Path dir, PreparedEdit p, StoredActivations acts) {
    TemplateCache cache = new TemplateCache(new CacheConfig(0, 1 << 20, dir, Precision.F32));
    cache.commit(p.templateId(), acts);
    cache.flush();
    assertEquals(Optional.of(TierKind.DISK), cache.where(p.templateId(), STEPS));
    return cache;
  }

  /** The engine's edit on in-memory activations, every step with {@code modes} (null: CACHE). */
  private static byte[] reference(PreparedEdit p, StoredActivations acts, BlockMode[] modes) {
    EditJob job = p.job(C, acts);
    ENGINE.run(List.of(job), modes, "edit", io.instgenie.kernels.edit.StepListener.NONE);
    return job.result(p.request().template().pixels(), p.pixelMask());
  }

  /** Calibrated costs where loading one segment from disk takes {@code ms}. */
  private static CostModel loadsTaking(double ms) {
    return new CostModel(COMPUTE, Map.of(TierKind.DISK, new LinearFit(ms, 0, 1, 4)));
  }

  /** What one step-loop run reported. */
  private record Served(
      Map<String, byte[]> images, List<JobEvent> events, Map<TierKind, int[]> blocks) {
    long count(String id, String type) {
      return events.stream().filter(e -> e.id().equals(id) && e.type().equals(type)).count();
    }
  }

  /** Submits every edit (they join in one batch), runs a step loop until all finished, stops it. */
  private static Served serve(TemplateCache cache, CostModel costs, Map<String, PreparedEdit> edits)
      throws InterruptedException {
    Map<String, byte[]> images = new ConcurrentHashMap<>();
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    Map<TierKind, int[]> blocks = new EnumMap<>(TierKind.class);
    CountDownLatch finished = new CountDownLatch(edits.size());
    StepLoop loop =
        new StepLoop(
            new DitForward(MODEL, new CpuBackend()),
            new CachedTemplateStore(cache, C),
            new LoopListener() {
              @Override
              public void event(JobEvent e) {
                events.add(e);
              }

              @Override
              public void finished(String id, RgbImage image, Timings timings) {
                images.put(id, image.pixels());
                finished.countDown();
              }

              @Override
              public void stepDone(int members, int sequences, double stepMs, double kernelMs) {}

              @Override
              public void templateLookup(boolean hit) {}

              @Override
              public void blockModes(TierKind slowest, int cached, int recomputed) {
                int[] n = blocks.computeIfAbsent(slowest, k -> new int[2]);
                n[0] += cached;
                n[1] += recomputed;
              }
            },
            8,
            true,
            true);
    loop.useCosts(costs);
    edits.forEach(
        (id, p) -> loop.submit(new DenoiseTask(id, p, false, System.currentTimeMillis())));
    Thread t = new Thread(loop, "test-step-loop");
    t.start();
    try {
      assertTrue(finished.await(60, TimeUnit.SECONDS), "every edit finishes: " + events);
    } finally {
      loop.stop();
      t.join(10_000);
    }
    return new Served(images, events, blocks);
  }

  private static int count(BlockMode[] modes, BlockMode mode) {
    return (int) Arrays.stream(modes).filter(m -> m == mode).count();
  }

  /** Flips one byte of segment (step, block) of a cache file. */
  private static void flipSegmentByte(Path file, ActivationShape s, int step, int block)
      throws IOException {
    long header = Files.size(file) - s.totalBytes();
    long at = header + (long) s.index(step, block) * s.segmentBytes() + 5;
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
      ch.write(b, at);
    }
  }

  @Test
  @DisplayName(
      "an edit whose template is on disk only, read through the pipelined loader with loads free, gives exactly the bytes of the same edit from memory")
  void diskEqualsMemory(@TempDir Path dir) throws Exception {
    PreparedEdit p = edit(1);
    StoredActivations acts = templateRun(p);
    Served fromMemory;
    try (TemplateCache memory = new TemplateCache(CacheConfig.memoryOnly(1 << 20, Precision.F32))) {
      memory.commit(p.templateId(), acts);
      fromMemory = serve(memory, loadsTaking(0), Map.of("e", p));
    }
    assertArrayEquals(reference(p, acts, null), fromMemory.images().get("e"));
    assertArrayEquals(
        new int[] {STEPS * C.depth(), 0},
        fromMemory.blocks().get(TierKind.MEMORY),
        "from memory: CACHE everywhere, no plan to make");
    try (TemplateCache disk = onDisk(dir, p, acts)) {
      Served fromDisk = serve(disk, loadsTaking(0), Map.of("e", p));
      assertArrayEquals(fromMemory.images().get("e"), fromDisk.images().get("e"));
      assertArrayEquals(
          new int[] {STEPS * C.depth(), 0},
          fromDisk.blocks().get(TierKind.DISK),
          "free loads: Algorithm 1 uses the cache in every block");
      assertEquals(1, disk.stats().tier(TierKind.DISK).hits(), "the edit read the disk file");
      assertEquals(
          Optional.of(TierKind.DISK),
          disk.where(p.templateId(), STEPS),
          "read in place from disk, not promoted");
    }
  }

  @Test
  @DisplayName(
      "slow loads make Algorithm 1 recompute every block, middling ones mix the modes: each gives exactly the unpipelined edit with that plan")
  void plansFromCosts(@TempDir Path dir) throws Exception {
    PreparedEdit p = edit(2);
    StoredActivations acts = templateRun(p);
    // Cw < Ld + Cw, Cf - Cw < Ld <= Cf: block 0 recomputes while the load runs ahead, then CACHE
    CostModel.Entry entry =
        new CostModel.Entry(p.maskedTokens().length, p.branches(), TierKind.DISK, Precision.F32);
    CostModel.Costs free = loadsTaking(0).costs(C, List.of(entry));
    double mixedLd = free.cf()[0] - free.cw()[0] / 2;
    BlockMode[] mixed = loadsTaking(mixedLd).costs(C, List.of(entry)).plan().modes();
    assertTrue(count(mixed, CACHE) > 0 && count(mixed, RECOMPUTE) > 0, Arrays.toString(mixed));
    BlockMode[] recompute = new BlockMode[C.depth()];
    Arrays.fill(recompute, RECOMPUTE);
    try (TemplateCache disk = onDisk(dir, p, acts)) {
      Served slow = serve(disk, loadsTaking(1e6), Map.of("e", p));
      assertArrayEquals(reference(p, acts, recompute), slow.images().get("e"));
      assertArrayEquals(new int[] {0, STEPS * C.depth()}, slow.blocks().get(TierKind.DISK));
      Served mix = serve(disk, loadsTaking(mixedLd), Map.of("e", p));
      assertArrayEquals(reference(p, acts, mixed), mix.images().get("e"));
      assertArrayEquals(
          new int[] {STEPS * count(mixed, CACHE), STEPS * count(mixed, RECOMPUTE)},
          mix.blocks().get(TierKind.DISK));
    }
  }

  @Test
  @DisplayName(
      "a flipped byte in a disk segment, met by the loader mid-edit: the file is discarded and counted, the template run is redone, and the edit completes with the image of a sound cache")
  void corruptSegmentMidEdit(@TempDir Path dir) throws Exception {
    PreparedEdit p = edit(3);
    StoredActivations acts = templateRun(p);
    ActivationShape s = acts.shape();
    Path file = dir.resolve(new TemplateKey(p.templateId(), STEPS).fileName());
    try (TemplateCache cache = onDisk(dir, p, acts)) {
      flipSegmentByte(file, s, 2, 1);
      Served r = serve(cache, loadsTaking(0), Map.of("e", p));
      assertArrayEquals(reference(p, acts, null), r.images().get("e"));
      assertEquals(1, cache.stats().corruptSegments());
      assertEquals(1, r.count("e", "started"), "one start, however often it starts over");
      assertEquals(
          2 + STEPS, r.count("e", "step"), "steps 1 and 2 ran from disk, then all of them again");
      assertEquals(STEPS, r.count("e", "template"), "the template run was redone");
      cache.flush();
      assertEquals(
          Optional.of(TierKind.DISK),
          cache.where(p.templateId(), STEPS),
          "the redone run is on disk again");
      assertTrue(Files.exists(file));
    }
  }

  @Test
  @DisplayName(
      "an edit batched with one whose cache turns out corrupt redoes only the interrupted step and ends with the bytes it has alone (within 1 level)")
  void batchSurvivesACorruptNeighbour(@TempDir Path dir) throws Exception {
    PreparedEdit bad = edit(4);
    PreparedEdit good = edit(5);
    StoredActivations badActs = templateRun(bad);
    StoredActivations goodActs = templateRun(good);
    try (TemplateCache cache = onDisk(dir, bad, badActs)) {
      cache.commit(good.templateId(), goodActs);
      cache.flush();
      flipSegmentByte(
          dir.resolve(new TemplateKey(bad.templateId(), STEPS).fileName()), badActs.shape(), 1, 0);
      Served r = serve(cache, loadsTaking(0), Map.of("bad", bad, "good", good));
      assertEquals(1, cache.stats().corruptSegments());
      assertEquals(STEPS, r.count("good", "step"), "the interrupted step is not counted twice");
      // other rows in the packed batch can change a GEMM's blocking, so allow one level of rounding
      assertWithin(1, reference(good, goodActs, null), r.images().get("good"));
      assertWithin(1, reference(bad, badActs, null), r.images().get("bad"));
    }
  }

  @Test
  @DisplayName(
      "a K/V template on disk: free loads cache every block, slow ones make Algorithm 1 recompute a prefix; each gives exactly the unpipelined K/V edit with that plan")
  void kvTemplateOnDisk(@TempDir Path dir) throws Exception {
    PreparedEdit p = edit(6);
    EditEngine kvEngine = new EditEngine(MODEL, new CpuBackend(), 1, CacheKind.KV);
    StoredActivations acts =
        StoredActivations.copyOf(
            kvEngine.templateRun(
                p.templateTokens(),
                p.templateNoise(),
                STEPS,
                io.instgenie.kernels.edit.StepListener.NONE),
            ActivationShape.of(C, STEPS, Precision.F32, CacheKind.KV));
    CostModel.Entry entry =
        new CostModel.Entry(
            p.maskedTokens().length, p.branches(), TierKind.DISK, Precision.F32, CacheKind.KV);
    // a load as long as a full block: recomputing block 0 while the loader runs beats waiting
    double slowLd = loadsTaking(0).costs(C, List.of(entry)).cf()[0];
    BlockMode[] prefix = loadsTaking(slowLd).costs(C, List.of(entry)).plan().modes();
    assertArrayEquals(new BlockMode[] {RECOMPUTE, CACHE}, prefix);
    try (TemplateCache disk = onDisk(dir, p, acts)) {
      Served free = serve(disk, loadsTaking(0), Map.of("e", p));
      assertArrayEquals(reference(p, acts, null), free.images().get("e"));
      assertArrayEquals(new int[] {STEPS * C.depth(), 0}, free.blocks().get(TierKind.DISK));
      Served slow = serve(disk, loadsTaking(slowLd), Map.of("e", p));
      assertArrayEquals(reference(p, acts, prefix), slow.images().get("e"));
      assertArrayEquals(new int[] {STEPS, STEPS}, slow.blocks().get(TierKind.DISK));
    }
  }

  private static void assertWithin(int levels, byte[] want, byte[] got) {
    assertEquals(want.length, got.length);
    int worst = 0;
    for (int i = 0; i < want.length; i++)
      worst = Math.max(worst, Math.abs((want[i] & 0xff) - (got[i] & 0xff)));
    assertTrue(worst <= levels, "pixels differ by up to " + worst + " levels");
  }

  @Test
  @DisplayName(
      "an edit whose template's cache keeps failing to load starts over 3 times, then ends failed"
          + " naming the failure, and the loop goes on")
  void persistentLoadFailureEnds() throws Exception {
    PreparedEdit p = edit(7);
    StoredActivations acts = templateRun(p);
    SegmentSource failing =
        new SegmentSource() {
          @Override
          public ActivationShape shape() {
            return acts.shape();
          }

          @Override
          public void read(int step, int block, ByteBuffer dst) {
            if (block == 1) throw new IllegalStateException("test: this segment never reads");
            acts.read(step, block, dst);
          }
        };
    TemplateStore store =
        new TemplateStore() {
          @Override
          public Optional<Activations> lookup(String templateId, int steps) {
            return Optional.of(new PipelinedActivations(failing, null)); // found, every time
          }

          @Override
          public Activations newRun(String templateId, int steps) {
            throw new AssertionError("the template is always found");
          }

          @Override
          public void commit(String templateId, int steps, Activations activations) {}

          @Override
          public Map<String, TierKind> held() {
            return Map.of();
          }
        };
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    CountDownLatch failed = new CountDownLatch(1);
    StepLoop loop =
        new StepLoop(
            new DitForward(MODEL, new CpuBackend()),
            store,
            new LoopListener() {
              @Override
              public void event(JobEvent e) {
                events.add(e);
                if (e.body() instanceof JobEvent.Failed) failed.countDown();
              }

              @Override
              public void finished(String id, RgbImage image, Timings timings) {}

              @Override
              public void stepDone(int members, int sequences, double stepMs, double kernelMs) {}

              @Override
              public void templateLookup(boolean hit) {}
            },
            8,
            true,
            true);
    loop.useCosts(loadsTaking(0));
    loop.submit(new DenoiseTask("e", p, false, System.currentTimeMillis()));
    Thread t = new Thread(loop, "test-step-loop");
    t.start();
    try {
      assertTrue(failed.await(60, TimeUnit.SECONDS), "the edit ends: " + events);
    } finally {
      loop.stop();
      t.join(10_000);
    }
    JobEvent.Failed f = (JobEvent.Failed) events.get(events.size() - 1).body();
    assertTrue(f.error().contains("failed to load 4 times"), f.error());
    assertTrue(f.error().contains("this segment never reads"), f.error());
    assertEquals(
        1, events.stream().filter(e -> e.body() instanceof JobEvent.Failed).count(), "ends once");
  }
}
