package io.instgenie.verticles.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.TierKind;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.edit.StepListener;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Timings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The step loop keeps stepping while a queued edit's template is promoted from a slower tier. */
class StepLoopTest {
  private static final ModelConfig C = Presets.tiny();
  private static final DitModel MODEL = DitModel.random(C, 5);
  private static final int STEPS = 40;

  private static PreparedEdit edit(long seed) {
    return TinyEdits.edit(MODEL, seed, STEPS);
  }

  /**
   * Holds templates in "memory"; one template sits "on disk" until released, and reading it blocks
   * until then.
   */
  private static final class SlowTierStore implements TemplateStore {
    final Map<String, Activations> memory = new ConcurrentHashMap<>();
    final CountDownLatch released = new CountDownLatch(1);
    final String onDisk;
    final Activations diskCopy;

    SlowTierStore(String onDisk, Activations diskCopy) {
      this.onDisk = onDisk;
      this.diskCopy = diskCopy;
    }

    @Override
    public Optional<Activations> lookup(String templateId, int steps) {
      if (templateId.equals(onDisk)) {
        await(); // a read from the slow tier
        return Optional.of(diskCopy);
      }
      return Optional.ofNullable(memory.get(templateId));
    }

    @Override
    public boolean loading(String templateId, int steps) {
      return templateId.equals(onDisk) && released.getCount() > 0;
    }

    @Override
    public Activations newRun(String templateId, int steps) {
      throw new AssertionError("no template run expected");
    }

    @Override
    public void commit(String templateId, int steps, Activations activations) {}

    @Override
    public Map<String, TierKind> held() {
      Map<String, TierKind> out = new HashMap<>();
      for (String id : memory.keySet()) out.put(id, TierKind.MEMORY);
      return out;
    }

    private void await() {
      try {
        released.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  @DisplayName(
      "an edit whose template is still being promoted from disk waits in the queue; the running edit keeps stepping to completion")
  void promotionDoesNotStallTheLoop() throws Exception {
    EditEngine engine = new EditEngine(MODEL, new CpuBackend(), 1);
    PreparedEdit a = edit(1);
    PreparedEdit b = edit(2);
    Activations aActs =
        engine.templateRun(a.templateTokens(), a.templateNoise(), STEPS, StepListener.NONE);
    Activations bActs =
        engine.templateRun(b.templateTokens(), b.templateNoise(), STEPS, StepListener.NONE);
    SlowTierStore store = new SlowTierStore(b.templateId(), bActs);
    store.memory.put(a.templateId(), aActs);

    List<JobEvent> events = new CopyOnWriteArrayList<>();
    Map<String, CountDownLatch> finished =
        Map.of("A", new CountDownLatch(1), "B", new CountDownLatch(1));
    StepLoop loop =
        new StepLoop(
            new DitForward(MODEL, new CpuBackend()),
            store,
            new LoopListener() {
              @Override
              public void event(JobEvent e) {
                events.add(e);
              }

              @Override
              public void finished(String id, RgbImage image, Timings timings) {
                finished.get(id).countDown();
              }

              @Override
              public void stepDone(int members, int sequences, double stepMs, double kernelMs) {}

              @Override
              public void templateLookup(boolean hit) {}
            },
            8,
            true,
            true);
    Thread t = new Thread(loop, "test-step-loop");
    t.start();
    try {
      loop.submit(new DenoiseTask("A", a, false, System.currentTimeMillis()));
      loop.submit(new DenoiseTask("B", b, false, System.currentTimeMillis()));
      assertTrue(
          finished.get("A").await(60, TimeUnit.SECONDS),
          "A must finish while B's template is still on its way: " + events);
      assertEquals(
          0,
          events.stream().filter(e -> e.id().equals("B") && e.type().equals("started")).count(),
          "B stays queued until its template is in memory");
      store.released.countDown();
      assertTrue(
          finished.get("B").await(60, TimeUnit.SECONDS),
          "B runs once its template arrived: " + events);
      assertEquals(
          STEPS,
          events.stream().filter(e -> e.id().equals("A") && e.type().equals("step")).count());
    } finally {
      store.released.countDown();
      loop.stop();
      t.join(10_000);
    }
  }
}
