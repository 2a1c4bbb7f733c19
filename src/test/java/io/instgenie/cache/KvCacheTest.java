package io.instgenie.cache;

import static io.instgenie.kernels.cached.BlockMode.CACHE;
import static io.instgenie.kernels.cached.BlockMode.RECOMPUTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.edit.StepListener;
import io.instgenie.kernels.model.ModelConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cached K/V activations through the tiers: memory, disk (checksummed), pipelined reads. */
class KvCacheTest {
  private static final ModelConfig C = CacheFixtures.C;
  private static final long MB = 1 << 20;
  private static final EditEngine KV_ENGINE =
      new EditEngine(DitModel.random(C, 3), new CpuBackend(), 4, CacheKind.KV);
  private static final EditEngine Y_ENGINE = CacheFixtures.engine();

  private static CacheConfig kv(Path dir, Precision p) {
    return new CacheConfig(MB, MB, dir, p, CacheMode.KV);
  }

  private static EditRequest sparse(long seed) {
    return new EditRequest(
        CacheFixtures.image(seed),
        CacheFixtures.mask(seed + 1, 0.05),
        "a red circle",
        3,
        11L,
        2.5f);
  }

  private static byte[] run(PreparedEdit p, EditRequest req, Activations acts, BlockMode[] modes) {
    EditJob job = p.job(C, acts);
    KV_ENGINE.run(List.of(job), modes, "edit", StepListener.NONE);
    return job.result(req.template().pixels(), p.pixelMask());
  }

  @Test
  @DisplayName(
      "cache_mode kv: template runs record K/V (twice Y's bytes), edits equal the engine's own K/V edit and its Y edit byte for byte")
  void kvEditsThroughTheCache(@TempDir Path dir) {
    EditRequest req = CacheFixtures.request(21);
    PreparedEdit p = KV_ENGINE.prepare(req);
    byte[] engineKv = KV_ENGINE.edit(req, true, StepListener.NONE).rgb();
    byte[] engineY = Y_ENGINE.edit(req, true, StepListener.NONE).rgb();
    int worst = 0;
    for (int i = 0; i < engineY.length; i++)
      worst = Math.max(worst, Math.abs((engineY[i] & 0xff) - (engineKv[i] & 0xff)));
    // the same numbers up to GEMM rounding (exact on this machine; 1 level allows another CPU's)
    assertTrue(worst <= 1, "K/V and Y modes give the same edit: worst pixel diff " + worst);
    try (TemplateCache cache = new TemplateCache(kv(dir, Precision.F32))) {
      CacheFixtures.Outcome first = CacheFixtures.edit(cache, KV_ENGINE, req);
      CacheFixtures.Outcome second = CacheFixtures.edit(cache, KV_ENGINE, req);
      assertFalse(first.hit());
      assertTrue(second.hit());
      assertArrayEquals(engineKv, first.rgb());
      assertArrayEquals(engineKv, second.rgb());
      Activations acts = cache.lookup(p.templateId(), p.steps()).orElseThrow();
      assertEquals(CacheKind.KV, acts.kind());
      long yBytes = ActivationShape.of(C, p.steps(), Precision.F32).totalBytes();
      assertEquals(2 * yBytes, ((StoredActivations) acts).bytes());
      assertEquals(2 * yBytes, cache.stats().tier(TierKind.MEMORY).bytes());
    }
  }

  @Test
  @DisplayName(
      "K/V on disk: a file with its kind, found after a restart with equal values; pipelined edits (a recompute prefix too) equal in-memory ones; Y files have kind 0")
  void kvOnDisk(@TempDir Path dir) throws IOException {
    EditRequest req = sparse(31);
    PreparedEdit p = KV_ENGINE.prepare(req);
    assertTrue(p.maskedTokens().length > 0 && p.maskedTokens().length < C.imageTokens());
    ActivationShape shape = ActivationShape.of(C, p.steps(), Precision.F32, CacheKind.KV);
    float[] values;
    try (TemplateCache cache = new TemplateCache(kv(dir, Precision.F32))) {
      CacheFixtures.edit(cache, KV_ENGINE, req);
      values =
          CacheFixtures.allValues(cache.lookup(p.templateId(), p.steps()).orElseThrow(), shape);
    }
    Path file = dir.resolve(new TemplateKey(p.templateId(), p.steps()).fileName());
    assertEquals(IgcFile.VERSION, headerInt(file, 8));
    assertEquals(1, headerInt(file, 32), "kind field: K/V");
    try (TemplateCache cache = new TemplateCache(kv(dir, Precision.F32))) {
      assertEquals(Optional.of(TierKind.DISK), cache.where(p.templateId(), p.steps()));
      byte[] inMemory;
      BlockMode[] prefix = {RECOMPUTE, CACHE};
      byte[] prefixPiped;
      byte[] piped;
      try (PipelinedActivations acts =
          cache.pipelined(p.templateId(), p.steps(), null).orElseThrow()) {
        assertEquals(shape, acts.shape());
        piped = run(p, req, acts, null);
        assertEquals((long) p.steps() * C.depth(), acts.blocksLoaded());
      }
      try (PipelinedActivations acts =
          cache.pipelined(p.templateId(), p.steps(), prefix).orElseThrow()) {
        prefixPiped = run(p, req, acts, prefix);
        // block 0 recomputes and block 1, the first cached block after it, projects its own K/V
        assertEquals(0, acts.blocksLoaded());
        assertEquals(2L * p.steps(), acts.blocksSkipped());
      }
      Activations loaded = cache.lookup(p.templateId(), p.steps()).orElseThrow();
      assertArrayEquals(values, CacheFixtures.allValues(loaded, shape));
      inMemory = run(p, req, loaded, null);
      assertArrayEquals(inMemory, piped);
      assertArrayEquals(run(p, req, loaded, prefix), prefixPiped);
      BlockMode[] notPrefix = {CACHE, RECOMPUTE};
      assertThrows(IllegalArgumentException.class, () -> run(p, req, loaded, notPrefix));
    }
    Path yDir = dir.resolve("y");
    try (TemplateCache cache =
        new TemplateCache(new CacheConfig(MB, MB, yDir, Precision.F32, CacheMode.Y))) {
      CacheFixtures.edit(cache, Y_ENGINE, req);
    }
    assertEquals(IgcFile.VERSION, headerInt(yDir.resolve(file.getFileName()), 8));
    assertEquals(0, headerInt(yDir.resolve(file.getFileName()), 32), "kind field: Y");
  }

  @Test
  @DisplayName(
      "a flipped byte in a K/V file: the lookup misses, the file is discarded and the redone edit is still exact")
  void corruptKvSegment(@TempDir Path dir) throws IOException {
    EditRequest req = CacheFixtures.request(41);
    PreparedEdit p = KV_ENGINE.prepare(req);
    byte[] good;
    try (TemplateCache cache = new TemplateCache(kv(dir, Precision.F32))) {
      good = CacheFixtures.edit(cache, KV_ENGINE, req).rgb();
    }
    ActivationShape s = ActivationShape.of(C, p.steps(), Precision.F32, CacheKind.KV);
    Path file = dir.resolve(new TemplateKey(p.templateId(), p.steps()).fileName());
    TierTest.flip(file, IgcFile.headerBytes(s) + 3L * s.segmentBytes() + 100);
    try (TemplateCache cache = new TemplateCache(kv(dir, Precision.F32))) {
      CacheFixtures.Outcome redone = CacheFixtures.edit(cache, KV_ENGINE, req);
      assertFalse(redone.hit(), "corrupt data must not be used");
      assertArrayEquals(good, redone.rgb());
      assertEquals(1, cache.stats().corruptSegments());
    }
  }

  @Test
  @DisplayName("BF16 K/V: half the F32 bytes, the edit within a few levels of the F32 one")
  void bf16Kv(@TempDir Path dir) {
    EditRequest req = CacheFixtures.request(51);
    byte[] f32 = KV_ENGINE.edit(req, true, StepListener.NONE).rgb();
    try (TemplateCache cache = new TemplateCache(kv(dir, Precision.BF16))) {
      byte[] bf16 = CacheFixtures.edit(cache, KV_ENGINE, req).rgb();
      PreparedEdit p = KV_ENGINE.prepare(req);
      assertEquals(
          ActivationShape.of(C, p.steps(), Precision.F32, CacheKind.KV).totalBytes() / 2,
          cache.stats().tier(TierKind.MEMORY).bytes());
      int worst = 0;
      for (int i = 0; i < f32.length; i++)
        worst = Math.max(worst, Math.abs((f32[i] & 0xff) - (bf16[i] & 0xff)));
      assertTrue(worst <= 8, "BF16 K/V moves pixels by at most 8 levels: " + worst);
    }
  }

  @Test
  @DisplayName(
      "K/V from the remote tier: streamed through the pipeline, the edit equals the in-memory one, and the copy kept in memory is K/V")
  void kvFromRemote(@TempDir Path dir) {
    EditRequest req = sparse(61);
    PreparedEdit p = KV_ENGINE.prepare(req);
    StoredActivations peerCopy;
    byte[] want;
    try (TemplateCache peer = new TemplateCache(kv(dir.resolve("peer"), Precision.F32))) {
      want = CacheFixtures.edit(peer, KV_ENGINE, req).rgb();
      peerCopy = (StoredActivations) peer.lookup(p.templateId(), p.steps()).orElseThrow();
    }
    TemplateKey key = new TemplateKey(p.templateId(), p.steps());
    RemoteTier remote =
        new RemoteTier() {
          @Override
          public Optional<String> holder(TemplateKey k) {
            return k.equals(key) ? Optional.of("peer") : Optional.empty();
          }

          @Override
          public Optional<StoredActivations> fetch(TemplateKey k) {
            return Optional.empty();
          }

          @Override
          public Optional<SegmentSource> open(TemplateKey k) {
            if (!k.equals(key)) return Optional.empty();
            return Optional.of(
                new SegmentSource() {
                  @Override
                  public ActivationShape shape() {
                    return peerCopy.shape();
                  }

                  @Override
                  public TierKind tier() {
                    return TierKind.REMOTE;
                  }

                  @Override
                  public void read(int step, int block, ByteBuffer dst) {
                    peerCopy.read(step, block, dst);
                  }
                });
          }
        };
    try (TemplateCache cache =
        new TemplateCache(
            CacheConfig.memoryOnly(MB, Precision.F32).withMode(CacheMode.KV), remote)) {
      Activations acts = cache.open(p.templateId(), p.steps()).orElseThrow();
      assertEquals(CacheKind.KV, acts.kind());
      byte[] got;
      try (PipelinedActivations piped = (PipelinedActivations) acts) {
        got = run(p, req, piped, null);
      }
      assertArrayEquals(want, got);
      assertEquals(Optional.of(TierKind.MEMORY), cache.where(p.templateId(), p.steps()));
      assertEquals(CacheKind.KV, cache.lookup(p.templateId(), p.steps()).orElseThrow().kind());
    }
  }

  @Test
  @DisplayName("cache_mode auto: K/V while the memory tier holds 4 templates' K/V, else Y")
  void autoPolicy() {
    long kvBytes = ActivationShape.of(C, 3, Precision.F32, CacheKind.KV).totalBytes();
    assertEquals(CacheKind.KV, CacheMode.AUTO.kindFor(C, 3, Precision.F32, 4 * kvBytes));
    assertEquals(CacheKind.Y, CacheMode.AUTO.kindFor(C, 3, Precision.F32, 4 * kvBytes - 1));
    assertEquals(CacheKind.Y, CacheMode.Y.kindFor(C, 3, Precision.F32, Long.MAX_VALUE));
    assertEquals(CacheKind.KV, CacheMode.KV.kindFor(C, 3, Precision.F32, 0));
    try (TemplateCache cache =
        new TemplateCache(
            CacheConfig.memoryOnly(4 * kvBytes, Precision.F32).withMode(CacheMode.AUTO))) {
      assertEquals(CacheKind.KV, cache.newRun("t", 3, C).kind());
    }
    try (TemplateCache cache =
        new TemplateCache(
            CacheConfig.memoryOnly(kvBytes, Precision.F32).withMode(CacheMode.AUTO))) {
      assertEquals(CacheKind.Y, cache.newRun("t", 3, C).kind());
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CacheMode.parse("yv"));
    assertTrue(e.getMessage().contains("y, kv or auto"), e.getMessage());
  }

  @Test
  @DisplayName("a shape's JSON form (what peers exchange) keeps its kind; Y stays the default")
  void shapeJson() throws IOException {
    ObjectMapper json = new ObjectMapper();
    ActivationShape kv = ActivationShape.of(C, 3, Precision.BF16, CacheKind.KV);
    assertEquals(kv, json.readValue(json.writeValueAsString(kv), ActivationShape.class));
    ActivationShape y = ActivationShape.of(C, 3, Precision.F32);
    assertEquals(CacheKind.Y, y.kind());
    assertEquals(y, json.readValue(json.writeValueAsString(y), ActivationShape.class));
    assertEquals(
        2 * y.segmentValues(),
        ActivationShape.of(C, 3, Precision.F32, CacheKind.KV).segmentValues());
  }

  private static int headerInt(Path file, int at) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, at);
      return b.getInt(0);
    }
  }
}
