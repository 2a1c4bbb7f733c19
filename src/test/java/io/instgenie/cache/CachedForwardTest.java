package io.instgenie.cache;

import static io.instgenie.kernels.cached.BlockMode.CACHE;
import static io.instgenie.kernels.cached.BlockMode.RECOMPUTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.edit.StepListener;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachedForwardTest {
  private static final ModelConfig C = CacheFixtures.C;
  private static final DitModel MODEL = DitModel.random(C, 7);
  private static final int L = C.imageTokens();
  private static final int PD = C.patchDim();
  private static final int[] MASKED = {1, 2, 5, 9, 10, 14};

  private static float[] velocity(BlockSource cache, float[] x, BlockMode[] modes) {
    float[] v = new float[MASKED.length * PD];
    new DitForward(MODEL, new CpuBackend())
        .run(
            List.of(
                Sequence.masked(0.55f, Prompts.encode(C, "a red circle"), x, MASKED, L, cache, v)),
            modes);
    return v;
  }

  @Test
  @DisplayName(
      "the masked forward fed from StoredActivations (F32), plain or pipelined, gives exactly MemoryActivations' velocities")
  void sameVelocities() {
    float[] x = Noise.gaussian(3, L * PD);
    MemoryActivations mem = new MemoryActivations(C, 1);
    new DitForward(MODEL, new CpuBackend())
        .run(List.of(Sequence.full(0.55f, Prompts.nullPrompt(C), x, L, null, mem.sink(0))), null);
    StoredActivations f32 = StoredActivations.copyOf(mem, ActivationShape.of(C, 1, Precision.F32));
    StoredActivations bf16 =
        StoredActivations.copyOf(mem, ActivationShape.of(C, 1, Precision.BF16));
    for (BlockMode[] modes : new BlockMode[][] {null, {CACHE, RECOMPUTE}, {RECOMPUTE, CACHE}}) {
      float[] want = velocity(mem.source(0), x, modes);
      assertArrayEquals(want, velocity(f32.source(0), x, modes));
      try (PipelinedActivations p = new PipelinedActivations(f32, modes)) {
        assertArrayEquals(want, velocity(p.source(0), x, modes));
      }
      float[] approx = velocity(bf16.source(0), x, modes);
      double worst = 0;
      for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - approx[i]));
      assertTrue(worst < 0.05, "BF16 cache moves velocities by at most a little: " + worst);
    }
  }

  @Test
  @DisplayName(
      "a whole edit read through the pipeline straight from a disk file equals the engine's own cached edit")
  void pipelinedEditFromDisk(@TempDir Path dir) {
    EditEngine engine = CacheFixtures.engine();
    // a sparse mask, so that unmasked rows are read from the cache (with every token masked nothing
    // is gathered, and what the loader reads ahead would depend on thread timing)
    EditRequest req =
        new EditRequest(
            CacheFixtures.image(8), CacheFixtures.mask(9, 0.02), "a red circle", 3, 11L, 2.5f);
    byte[] want = engine.edit(req, true, StepListener.NONE).rgb();
    PreparedEdit p = engine.prepare(req);
    assertTrue(p.maskedTokens().length > 0 && p.maskedTokens().length < L, "some tokens masked");
    try (TemplateCache cache =
        new TemplateCache(new CacheConfig(1 << 20, 1 << 20, dir, Precision.F32))) {
      CacheFixtures.edit(cache, engine, req);
    }
    try (TemplateCache cache =
        new TemplateCache(new CacheConfig(1 << 20, 1 << 20, dir, Precision.F32))) {
      try (PipelinedActivations acts =
          cache.pipelined(p.templateId(), p.steps(), null).orElseThrow()) {
        assertArrayEquals(want, run(engine, p, req, acts, null));
        assertEquals((long) p.steps() * C.depth(), acts.blocksLoaded());
      }
      BlockMode[] modes = {CACHE, RECOMPUTE};
      byte[] mixed;
      try (PipelinedActivations acts =
          cache.pipelined(p.templateId(), p.steps(), modes).orElseThrow()) {
        mixed = run(engine, p, req, acts, modes);
        assertEquals(p.steps(), acts.blocksSkipped());
      }
      assertEquals(
          2,
          cache.stats().tier(TierKind.DISK).hits(),
          "both pipelines read the file, no promotion");
      assertEquals(Optional.of(TierKind.DISK), cache.where(p.templateId(), p.steps()));
      byte[] plain =
          run(engine, p, req, cache.lookup(p.templateId(), p.steps()).orElseThrow(), modes);
      assertArrayEquals(plain, mixed, "same plan, pipelined or not: same bytes");
    }
  }

  private static byte[] run(
      EditEngine engine, PreparedEdit p, EditRequest req, Activations acts, BlockMode[] modes) {
    EditJob job = p.job(C, acts);
    engine.run(List.of(job), modes, "edit", StepListener.NONE);
    return job.result(req.template().pixels(), p.pixelMask());
  }
}
