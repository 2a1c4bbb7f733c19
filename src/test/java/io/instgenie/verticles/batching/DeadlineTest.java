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
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Timings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Deadlines, counted in worker steps: the loop's clock advances {@link #MS_PER_STEP} per step, so a
 * deadline falls between two known steps and no wall-clock time is involved.
 */
class DeadlineTest {
  private static final ModelConfig C = Presets.tiny();
  private static final DitModel MODEL = DitModel.random(C, 5);
  private static final int STEPS = 20;
  private static final long MS_PER_STEP = 1000;

  private static PreparedEdit edit(long seed) {
    return TinyEdits.edit(MODEL, seed, STEPS);
  }

  /** Templates held in memory. */
  private record MemoryStore(Map<String, Activations> memory) implements TemplateStore {
    @Override
    public Optional<Activations> lookup(String templateId, int steps) {
      return Optional.ofNullable(memory.get(templateId));
    }

    @Override
    public Activations newRun(String templateId, int steps) {
      throw new AssertionError("no template run expected");
    }

    @Override
    public void commit(String templateId, int steps, Activations activations) {}

    @Override
    public Map<String, TierKind> held() {
      return Map.of();
    }
  }

  @Test
  @DisplayName(
      "an edit whose deadline falls between steps 5 and 6 of its worker runs at most one step past"
          + " it and ends failed 'deadline exceeded'; the edit beside it runs all its steps")
  void deadlineWithinOneStep() throws Exception {
    EditEngine engine = new EditEngine(MODEL, new CpuBackend(), 1);
    PreparedEdit a = edit(1);
    PreparedEdit b = edit(2);
    Map<String, Activations> memory = new HashMap<>();
    for (PreparedEdit p : List.of(a, b))
      memory.put(
          p.templateId(),
          engine.templateRun(
              p.templateTokens(),
              p.templateNoise(),
              STEPS,
              io.instgenie.kernels.edit.StepListener.NONE));
    AtomicLong clock = new AtomicLong();
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    CountDownLatch bDone = new CountDownLatch(1);
    LoopListener listener =
        new LoopListener() {
          @Override
          public void event(JobEvent e) {
            events.add(e);
          }

          @Override
          public void finished(String id, RgbImage image, Timings timings) {
            if (id.equals("B")) bDone.countDown();
          }

          @Override
          public void stepDone(int members, int sequences, double stepMs, double kernelMs) {
            clock.addAndGet(MS_PER_STEP);
          }

          @Override
          public void templateLookup(boolean hit) {}
        };
    StepLoop loop =
        new StepLoop(
            new DitForward(MODEL, new CpuBackend()),
            new MemoryStore(memory),
            listener,
            8,
            true,
            true,
            Faults.NONE,
            clock::get);
    long deadlineSteps = 5;
    // both are in the inbox before the loop starts: they join at the same step
    loop.submit(new DenoiseTask("A", a, false, 0, deadlineSteps * MS_PER_STEP + MS_PER_STEP / 2));
    loop.submit(new DenoiseTask("B", b, false, 0));
    Thread t = new Thread(loop, "test-step-loop");
    t.start();
    try {
      assertTrue(bDone.await(60, TimeUnit.SECONDS), "B finishes: " + events);
      List<JobEvent> ofA = events.stream().filter(e -> e.id().equals("A")).toList();
      List<JobEvent> stepsOfA =
          ofA.stream().filter(e -> e.body() instanceof JobEvent.Step).toList();
      assertEquals(
          deadlineSteps + 1,
          stepsOfA.size(),
          "A runs the step in progress at its deadline (step 6), none after: " + ofA);
      JobEvent last = ofA.get(ofA.size() - 1);
      assertEquals(
          new JobEvent.Failed(JobEvent.Failed.DEADLINE_EXCEEDED),
          last.body(),
          "A's last event: " + ofA);
      List<JobEvent> stepsOfB =
          events.stream()
              .filter(e -> e.id().equals("B") && e.body() instanceof JobEvent.Step)
              .toList();
      assertEquals(STEPS, stepsOfB.size(), "B runs all its steps: " + stepsOfB);
      for (int k = 0; k < STEPS; k++)
        assertEquals(
            k + 1L,
            ((JobEvent.Step) stepsOfB.get(k).body()).workerStep(),
            "B takes part in every step of its worker, A's end included");
    } finally {
      loop.stop();
      t.join(10_000);
    }
  }
}
