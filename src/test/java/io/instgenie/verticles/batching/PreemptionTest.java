package io.instgenie.verticles.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.TierKind;
import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Timings;
import io.instgenie.verticles.policy.Scheduling;
import io.instgenie.verticles.policy.StepPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A member preempted at a step boundary resumes where it was and ends with the same image. */
class PreemptionTest {
  private static final ModelConfig C = Presets.tiny();
  private static final DitModel MODEL = DitModel.random(C, 5);

  private static PreparedEdit edit(long seed, int steps) {
    return TinyEdits.edit(MODEL, seed, steps);
  }

  /** The cache is off here: nothing is looked up. */
  private static final TemplateStore NO_STORE =
      new TemplateStore() {
        @Override
        public Optional<Activations> lookup(String templateId, int steps) {
          throw new AssertionError("the cache is off");
        }

        @Override
        public Activations newRun(String templateId, int steps) {
          throw new AssertionError("the cache is off");
        }

        @Override
        public void commit(String templateId, int steps, Activations activations) {}

        @Override
        public Map<String, TierKind> held() {
          return Map.of();
        }
      };

  private static long workerStep(JobEvent e) {
    return ((JobEvent.Step) e.body()).workerStep();
  }

  @Test
  @DisplayName(
      "srpt, one member a step: a 4-step edit arriving at a 12-step edit's second step runs its"
          + " four steps between the long one's 2nd and 3rd; the long one's image is identical to"
          + " its run alone")
  void preemptedMemberEndsWithTheSameImage() throws Exception {
    PreparedEdit a = edit(1, 12);
    PreparedEdit b = edit(2, 4);
    Map<String, byte[]> images = new ConcurrentHashMap<>();
    List<JobEvent> steps = new CopyOnWriteArrayList<>();
    CountDownLatch finished = new CountDownLatch(2);
    StepLoop[] loop = new StepLoop[1];
    loop[0] =
        new StepLoop(
            new DitForward(MODEL, new CpuBackend()),
            NO_STORE,
            new LoopListener() {
              @Override
              public void event(JobEvent e) {
                if (!(e.body() instanceof JobEvent.Step s)) return;
                steps.add(e);
                // on the loop's thread, so B arrives exactly before A's third step
                if (e.id().equals("A") && s.step() == 2)
                  loop[0].submit(new DenoiseTask("B", b, false, System.currentTimeMillis()));
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
            },
            8,
            true,
            false);
    loop[0].schedule(new StepPolicy(Scheduling.SRPT, 1000), 1);
    loop[0].submit(new DenoiseTask("A", a, false, System.currentTimeMillis()));
    Thread t = new Thread(loop[0], "test-step-loop");
    t.start();
    try {
      assertTrue(finished.await(120, TimeUnit.SECONDS), "both edits finish: " + steps);
    } finally {
      loop[0].stop();
      t.join(10_000);
    }
    List<Long> aSteps =
        steps.stream().filter(e -> e.id().equals("A")).map(PreemptionTest::workerStep).toList();
    List<Long> bSteps =
        steps.stream().filter(e -> e.id().equals("B")).map(PreemptionTest::workerStep).toList();
    assertEquals(12, aSteps.size(), "A ran each of its steps once");
    assertEquals(List.of(3L, 4L, 5L, 6L), bSteps, "B ran at once, alone: " + steps);
    assertEquals(List.of(1L, 2L, 7L, 8L), aSteps.subList(0, 4), "A paused for B's four steps");

    EditJob alone = a.job(C, null);
    new EditEngine(MODEL, new CpuBackend(), 1)
        .run(List.of(alone), null, "edit", io.instgenie.kernels.edit.StepListener.NONE);
    assertArrayEquals(
        alone.result(a.request().template().pixels(), a.pixelMask()),
        images.get("A"),
        "the preempted edit's pixels equal its uninterrupted run's, byte for byte");
  }

  @Test
  @DisplayName(
      "A preempted edit hears its step again, with an ETA, once a keep-alive period has passed while"
          + " it waits (so the job table's stall watchdog does not take it for lost); the running"
          + " edit hears each step once")
  void preemptedMemberKeepsReporting() throws Exception {
    PreparedEdit a = edit(1, 12);
    PreparedEdit b = edit(2, 4);
    List<JobEvent> steps = new CopyOnWriteArrayList<>();
    CountDownLatch finished = new CountDownLatch(2);
    AtomicLong clock = new AtomicLong(); // 100 ms a step: the keep-alive is counted in steps
    AtomicBoolean bSent = new AtomicBoolean(); // the keep-alive repeats A's step 2 later
    StepLoop[] loop = new StepLoop[1];
    loop[0] =
        new StepLoop(
            new DitForward(MODEL, new CpuBackend()),
            NO_STORE,
            new LoopListener() {
              @Override
              public void event(JobEvent e) {
                if (!(e.body() instanceof JobEvent.Step s)) return;
                steps.add(e);
                if (e.id().equals("A") && s.step() == 2 && bSent.compareAndSet(false, true)) {
                  loop[0].submit(new DenoiseTask("B", b, false, 0));
                }
              }

              @Override
              public void finished(String id, RgbImage image, Timings timings) {
                finished.countDown();
              }

              @Override
              public void stepDone(int members, int sequences, double stepMs, double kernelMs) {
                clock.addAndGet(100);
              }

              @Override
              public void templateLookup(boolean hit) {}
            },
            8,
            true,
            false,
            Faults.NONE,
            clock::get);
    loop[0].schedule(new StepPolicy(Scheduling.SRPT, 1000), 1);
    loop[0].keepAlive(250);
    loop[0].submit(new DenoiseTask("A", a, false, 0));
    Thread t = new Thread(loop[0], "test-step-loop");
    t.start();
    try {
      assertTrue(finished.await(120, TimeUnit.SECONDS), "both edits finish: " + steps);
    } finally {
      loop[0].stop();
      t.join(10_000);
    }
    List<JobEvent.Step> aAgain =
        steps.stream()
            .filter(e -> e.id().equals("A") && workerStep(e) >= 3 && workerStep(e) <= 6)
            .map(e -> (JobEvent.Step) e.body())
            .toList();
    assertFalse(aAgain.isEmpty(), "A re-reported while B ran (worker steps 3-6): " + steps);
    for (JobEvent.Step s : aAgain) {
      assertEquals(2, s.step(), "a keep-alive repeats the step A is at: " + steps);
      assertTrue(s.etaMs() > 0, "with an ETA: " + steps);
    }
    List<Integer> bSteps =
        steps.stream()
            .filter(e -> e.id().equals("B"))
            .map(e -> ((JobEvent.Step) e.body()).step())
            .toList();
    assertEquals(List.of(1, 2, 3, 4), bSteps, "B, never held back, hears each step once");
  }
}
