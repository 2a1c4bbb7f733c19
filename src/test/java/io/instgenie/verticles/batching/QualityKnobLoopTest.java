package io.instgenie.verticles.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.TierKind;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.ParityModels;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.MemoryActivations;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.edit.StepListener;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Timings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The quality knob reaches every edit the step loop starts: one that waited for its template's run
 * as well as one that found the template cached.
 */
class QualityKnobLoopTest {
  private static final ModelConfig C = Presets.tiny();

  /** Weights large enough that the prompt moves the unmasked rows (std 0.02 barely does). */
  private static final DitModel MODEL = ParityModels.scaled(C, 7, 0.25);

  private static final int STEPS = 5;

  private static PreparedEdit edit(long seed) {
    return TinyEdits.edit(MODEL, 99, seed, STEPS, 60); // one template for every edit
  }

  /** Template runs kept in memory; a lookup before the first commit misses. */
  private static final class MemoryStore implements TemplateStore {
    final Map<String, Activations> runs = new ConcurrentHashMap<>();

    @Override
    public Optional<Activations> lookup(String templateId, int steps) {
      return Optional.ofNullable(runs.get(templateId + "/" + steps));
    }

    @Override
    public Activations newRun(String templateId, int steps) {
      return new MemoryActivations(C, steps);
    }

    @Override
    public void commit(String templateId, int steps, Activations activations) {
      runs.put(templateId + "/" + steps, activations);
    }

    @Override
    public Map<String, TierKind> held() {
      return Map.of();
    }
  }

  /** Runs the edits one after the other through a loop with the knob at {@code fullSteps}. */
  private static Map<String, byte[]> throughLoop(int fullSteps, PreparedEdit... edits)
      throws Exception {
    Map<String, byte[]> images = new ConcurrentHashMap<>();
    CountDownLatch[] done = new CountDownLatch[1];
    StepLoop loop =
        new StepLoop(
            new DitForward(MODEL, new CpuBackend()),
            new MemoryStore(),
            new LoopListener() {
              @Override
              public void event(JobEvent e) {}

              @Override
              public void finished(String id, RgbImage image, Timings timings) {
                images.put(id, image.pixels());
                done[0].countDown();
              }

              @Override
              public void stepDone(int members, int sequences, double stepMs, double kernelMs) {}

              @Override
              public void templateLookup(boolean hit) {}
            },
            8,
            true,
            true);
    loop.fullSteps(fullSteps);
    Thread t = new Thread(loop, "test-step-loop");
    t.start();
    try {
      for (int i = 0; i < edits.length; i++) {
        done[0] = new CountDownLatch(1);
        loop.submit(new DenoiseTask("E" + i, edits[i], false, System.currentTimeMillis()));
        assertTrue(done[0].await(120, TimeUnit.SECONDS), "edit " + i + " finishes");
      }
    } finally {
      loop.stop();
      t.join(10_000);
    }
    return images;
  }

  private static byte[] fullRecompute(PreparedEdit e) {
    EditJob alone = e.job(C, null);
    new EditEngine(MODEL, new CpuBackend(), 1).run(List.of(alone), null, "edit", StepListener.NONE);
    return alone.result(e.request().template().pixels(), e.pixelMask());
  }

  @Test
  @DisplayName(
      "knob = all steps (the model's default step count, which covers every step of any edit): the"
          + " edit that waited for the template run and the one that found it cached both equal"
          + " full recompute byte for byte; knob 0: they do not")
  void knobReachesWaitersAndHits() throws Exception {
    PreparedEdit first = edit(1);
    PreparedEdit second = edit(2);
    Map<String, byte[]> all = throughLoop(C.defaultSteps(), first, second);
    assertArrayEquals(fullRecompute(first), all.get("E0"), "the waiter (its template's first run)");
    assertArrayEquals(fullRecompute(second), all.get("E1"), "the cache hit");
    Map<String, byte[]> none = throughLoop(0, first, second);
    assertFalse(java.util.Arrays.equals(fullRecompute(first), none.get("E0")), "knob 0: cached");
  }
}
