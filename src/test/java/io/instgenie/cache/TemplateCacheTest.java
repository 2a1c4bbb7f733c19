package io.instgenie.cache;

import static io.instgenie.cache.CacheFixtures.allValues;
import static io.instgenie.cache.CacheFixtures.edit;
import static io.instgenie.cache.CacheFixtures.random;
import static io.instgenie.cache.CacheFixtures.request;
import static io.instgenie.cache.CacheFixtures.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.edit.StepListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateCacheTest {
  private static final EditEngine ENGINE = CacheFixtures.engine();
  private static final long MB = 1 << 20;

  private static CacheConfig config(Path dir) {
    return new CacheConfig(MB, MB, dir, Precision.F32);
  }

  /**
   * The engine's own edit (F32 MemoryActivations): what every cached edit must reproduce byte for
   * byte.
   */
  private static byte[] reference(EditRequest req) {
    return ENGINE.edit(req, true, StepListener.NONE).rgb();
  }

  /** A remote tier that records prepares and reports a probe out until told otherwise. */
  private static final class PreparingRemote implements RemoteTier {
    final List<TemplateKey> prepared = new ArrayList<>();
    volatile boolean out = true;

    @Override
    public Optional<String> holder(TemplateKey key) {
      return Optional.of("peer");
    }

    @Override
    public Optional<StoredActivations> fetch(TemplateKey key) {
      return Optional.empty();
    }

    @Override
    public void prepare(TemplateKey key) {
      prepared.add(key);
    }

    @Override
    public boolean preparing(TemplateKey key) {
      return out && prepared.contains(key);
    }
  }

  @Test
  @DisplayName(
      "prefetch of a template held by no tier here asks the remote tier to prepare; one held here does not")
  void prefetchPreparesTheRemoteTier(@TempDir Path dir) {
    PreparingRemote remote = new PreparingRemote();
    EditRequest req = request(2);
    try (TemplateCache cache = new TemplateCache(config(dir), remote)) {
      assertFalse(cache.prefetch("absent", 4).join(), "nothing here to promote");
      assertEquals(List.of(new TemplateKey("absent", 4)), remote.prepared);
      assertTrue(cache.remotePreparing("absent", 4));
      assertFalse(cache.remotePreparing("other", 4));
      remote.out = false;
      assertFalse(cache.remotePreparing("absent", 4), "the probe answered");

      PreparedEdit p = ENGINE.prepare(req);
      CacheFixtures.edit(cache, ENGINE, req); // runs the template and keeps it in memory
      assertTrue(cache.prefetch(p.templateId(), p.steps()).join());
      assertEquals(1, remote.prepared.size(), "a template held here needs no peer");
    }
  }

  @Test
  @DisplayName(
      "first edit misses and runs the template; the next hits memory; both equal the engine's own cached edit")
  void missThenHit(@TempDir Path dir) {
    EditRequest req = request(1);
    try (TemplateCache cache = new TemplateCache(config(dir))) {
      CacheFixtures.Outcome first = edit(cache, ENGINE, req);
      CacheFixtures.Outcome second = edit(cache, ENGINE, req);
      assertFalse(first.hit());
      assertTrue(second.hit());
      assertArrayEquals(reference(req), first.rgb());
      assertArrayEquals(first.rgb(), second.rgb());
      cache.flush();
      CacheStats s = cache.stats();
      assertEquals(1, s.tier(TierKind.MEMORY).hits());
      assertEquals(1, s.tier(TierKind.MEMORY).misses());
      assertEquals(1, s.tier(TierKind.DISK).misses());
      assertEquals(1, s.tier(TierKind.DISK).templates());
      assertEquals(1, s.templates());
      assertTrue(s.diskAvailable());
    }
  }

  @Test
  @DisplayName(
      "after a restart the template comes from disk with equal values, is promoted to memory, and the edit is unchanged")
  void restartFindsDiskTemplates(@TempDir Path dir) {
    EditRequest req = request(2);
    PreparedEdit p = ENGINE.prepare(req);
    byte[] before;
    float[] values;
    try (TemplateCache cache = new TemplateCache(config(dir))) {
      before = edit(cache, ENGINE, req).rgb();
      values =
          allValues(
              cache.lookup(p.templateId(), p.steps()).orElseThrow(),
              shape(p.steps(), Precision.F32));
    } // close() finishes the disk write
    try (TemplateCache cache = new TemplateCache(config(dir))) {
      assertEquals(Optional.of(TierKind.DISK), cache.where(p.templateId(), p.steps()));
      Activations fromDisk = cache.lookup(p.templateId(), p.steps()).orElseThrow();
      assertArrayEquals(values, allValues(fromDisk, shape(p.steps(), Precision.F32)));
      assertEquals(
          Optional.of(TierKind.MEMORY), cache.where(p.templateId(), p.steps()), "promoted");
      CacheFixtures.Outcome again = edit(cache, ENGINE, req);
      assertTrue(again.hit());
      assertArrayEquals(before, again.rgb());
      CacheStats s = cache.stats();
      assertEquals(1, s.tier(TierKind.DISK).hits());
      assertEquals(1, s.tier(TierKind.MEMORY).hits());
    }
  }

  @Test
  @DisplayName(
      "a flipped byte on disk: lookup misses, the file is discarded, the template run is redone and the edit is still correct")
  void corruptSegmentRedone(@TempDir Path dir) throws IOException {
    EditRequest req = request(3);
    PreparedEdit p = ENGINE.prepare(req);
    Path file = dir.resolve(new TemplateKey(p.templateId(), p.steps()).fileName());
    byte[] good;
    try (TemplateCache cache = new TemplateCache(config(dir))) {
      good = edit(cache, ENGINE, req).rgb();
    }
    ActivationShape s = shape(p.steps(), Precision.F32);
    TierTest.flip(file, IgcFile.headerBytes(s) + 5L * s.segmentBytes() + 1000); // step 2, block 1
    try (TemplateCache cache = new TemplateCache(config(dir));
        CacheFixtures.Captured log = new CacheFixtures.Captured(DiskTier.class)) {
      CacheFixtures.Outcome redone = edit(cache, ENGINE, req);
      assertFalse(redone.hit(), "corrupt data must not be used");
      assertArrayEquals(good, redone.rgb());
      assertArrayEquals(reference(req), redone.rgb());
      CacheStats st = cache.stats();
      assertEquals(1, st.corruptSegments());
      assertEquals(1, log.warnings());
      cache.flush();
      assertTrue(Files.exists(file), "the redone run was written again");
      assertTrue(edit(cache, ENGINE, req).hit());
    }
    try (TemplateCache cache = new TemplateCache(config(dir))) {
      assertTrue(
          cache.lookup(p.templateId(), p.steps()).isPresent(), "the rewritten file is sound");
      assertEquals(0, cache.stats().corruptSegments());
    }
  }

  @Test
  @DisplayName("an unusable cache folder: memory only, one warning, and edits still succeed")
  void unwritableFolderDegrades(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    EditRequest req = request(4);
    try (CacheFixtures.Captured log = new CacheFixtures.Captured(DiskTier.class);
        TemplateCache cache = new TemplateCache(config(file.resolve("cache")))) {
      assertFalse(cache.diskAvailable());
      CacheFixtures.Outcome a = edit(cache, ENGINE, req);
      CacheFixtures.Outcome b = edit(cache, ENGINE, req);
      cache.flush();
      assertFalse(a.hit());
      assertTrue(b.hit(), "memory still caches");
      assertArrayEquals(reference(req), a.rgb());
      assertArrayEquals(a.rgb(), b.rgb());
      assertEquals(1, log.warnings());
      assertFalse(cache.stats().diskAvailable());
      assertEquals(0, cache.stats().uncached());
    }
  }

  @Test
  @DisplayName("prefetch promotes a disk-only template to memory in the background, and is counted")
  void prefetch(@TempDir Path dir) throws Exception {
    StoredActivations a = random(shape(4, Precision.F32), 1);
    try (TemplateCache cache = new TemplateCache(config(dir))) {
      cache.commit("tpl", a);
    }
    try (TemplateCache cache = new TemplateCache(config(dir))) {
      assertFalse(cache.prefetch("other", 4).get(), "nothing to prefetch");
      assertTrue(cache.prefetch("tpl", 4).get());
      assertEquals(Optional.of(TierKind.MEMORY), cache.where("tpl", 4));
      assertTrue(cache.prefetch("tpl", 4).get(), "already in memory");
      assertEquals(1, cache.stats().prefetches());
      assertArrayEquals(
          allValues(a, a.shape()), allValues(cache.lookup("tpl", 4).orElseThrow(), a.shape()));
      assertEquals(1, cache.stats().tier(TierKind.MEMORY).hits());
    }
  }

  @Test
  @DisplayName(
      "a template larger than memory is served from disk; with no disk either it is counted as uncached, never lost silently")
  void largerThanMemory(@TempDir Path dir) {
    StoredActivations a = random(shape(4, Precision.F32), 1); // 16 KiB
    try (TemplateCache cache =
        new TemplateCache(new CacheConfig(8 << 10, MB, dir, Precision.F32))) {
      cache.commit("tpl", a);
      cache.flush();
      assertEquals(Optional.of(TierKind.DISK), cache.where("tpl", 4));
      assertArrayEquals(
          allValues(a, a.shape()), allValues(cache.lookup("tpl", 4).orElseThrow(), a.shape()));
      assertEquals(0, cache.stats().uncached());
      assertEquals(0, cache.stats().tier(TierKind.MEMORY).bytes());
    }
    try (TemplateCache cache = new TemplateCache(CacheConfig.memoryOnly(8 << 10, Precision.F32))) {
      cache.commit("tpl", a);
      assertEquals(1, cache.stats().uncached());
      assertTrue(cache.lookup("tpl", 4).isEmpty());
    }
  }

  @Test
  @DisplayName("memory evictions fall back to disk, and the stats count them")
  void evictedToDisk(@TempDir Path dir) {
    ActivationShape s = shape(1, Precision.F32);
    try (TemplateCache cache =
        new TemplateCache(new CacheConfig(2 * s.totalBytes(), MB, dir, Precision.F32))) {
      for (int i = 0; i < 3; i++) cache.commit("t" + i, random(s, i));
      cache.flush();
      assertEquals(Optional.of(TierKind.DISK), cache.where("t0", 1));
      assertEquals(Optional.of(TierKind.MEMORY), cache.where("t2", 1));
      CacheStats st = cache.stats();
      assertEquals(1, st.tier(TierKind.MEMORY).evictions());
      assertEquals(2 * s.totalBytes(), st.tier(TierKind.MEMORY).bytes());
      assertEquals(3, st.tier(TierKind.DISK).templates());
      assertTrue(cache.lookup("t0", 1).isPresent());
      assertEquals(Optional.of(TierKind.MEMORY), cache.where("t0", 1));
      assertEquals(2, cache.stats().tier(TierKind.MEMORY).evictions());
    }
  }

  @Test
  @DisplayName("configuration is validated when it is made")
  void configValidated(@TempDir Path dir) {
    assertThrows(IllegalArgumentException.class, () -> new CacheConfig(-1, 0, null, Precision.F32));
    assertThrows(IllegalArgumentException.class, () -> new CacheConfig(1, -1, null, Precision.F32));
    assertThrows(IllegalArgumentException.class, () -> new CacheConfig(1, 0, dir, Precision.F32));
    assertThrows(NullPointerException.class, () -> new CacheConfig(1, 1, dir, null));
    try (TemplateCache cache = new TemplateCache(CacheConfig.memoryOnly(MB, Precision.BF16))) {
      assertThrows(IllegalArgumentException.class, () -> cache.lookup("../etc", 4));
      assertThrows(
          IllegalStateException.class,
          () -> cache.commit("x", cache.newRun("x", 4, CacheFixtures.C)),
          "an unfinished run is not cached");
      assertEquals(Precision.BF16, cache.newRun("x", 4, CacheFixtures.C).precision());
    }
  }
}
