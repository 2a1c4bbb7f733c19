package io.instgenie.verticles.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.CostModel;
import io.instgenie.cache.LinearFit;
import io.instgenie.kernels.dit.FlopModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.verticles.policy.Priority;
import io.instgenie.verticles.policy.Scheduling;
import io.instgenie.verticles.policy.StepPolicy;
import io.instgenie.verticles.policy.StepWork;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link StepBatch} choosing each step's members by a policy, on counted steps. */
class StepSchedulingTest {
  /** A member with rows per step and steps left; {@code ran} counts the steps it ran. */
  private static final class Job {
    final String name;
    final int rows;
    final Priority priority;
    int left;
    int ran;
    boolean started;

    Job(String name, int rows, int steps, Priority priority) {
      this.name = name;
      this.rows = rows;
      this.left = steps;
      this.priority = priority;
    }

    @Override
    public String toString() {
      return name + "(" + left + ")";
    }
  }

  private static final BatchRules<Job> RULES =
      new BatchRules<>() {
        @Override
        public boolean held(Job m) {
          return false;
        }

        @Override
        public StepBatch.Start start(Job m) {
          m.started = true;
          return StepBatch.Start.RUN;
        }

        @Override
        public Job templateRun(String templateId, Job first) {
          throw new AssertionError("no template runs here");
        }

        @Override
        public StepWork work(Job m) {
          return new StepWork(m.rows, m.left, Long.MAX_VALUE, m.priority);
        }
      };

  /** One step: the chosen members advance, the finished leave; answers the names that ran. */
  private static List<String> step(StepBatch<Job> b) {
    List<String> names = new ArrayList<>();
    for (Job j : b.admit(RULES)) {
      j.left--;
      j.ran++;
      names.add(j.name);
    }
    b.leave(j -> j.left == 0);
    return names;
  }

  @Test
  @DisplayName(
      "srpt, one member a step: a short arrival preempts a started long one, which keeps its state"
          + " (started, steps left) and resumes after it")
  void preemptAndResume() {
    StepBatch<Job> b = new StepBatch<>(4, true, new StepPolicy(Scheduling.SRPT, 100), 10);
    Job longJ = new Job("long", 10, 6, Priority.INTERACTIVE);
    b.enqueue(longJ);
    assertEquals(List.of("long"), step(b));
    assertEquals(List.of("long"), step(b));
    Job shortJ = new Job("short", 10, 2, Priority.INTERACTIVE);
    b.enqueue(shortJ);
    assertEquals(List.of("short"), step(b), "2 steps × 10 rows < 4 × 10: the short one runs");
    assertTrue(b.running().contains(longJ), "the preempted member stays started");
    assertEquals(4, longJ.left, "and keeps its progress");
    assertEquals(List.of("short"), step(b));
    assertEquals(List.of("long"), step(b), "it resumes once the short one left");
    for (int i = 0; i < 3; i++) step(b);
    assertEquals(0, longJ.left);
    assertEquals(6, longJ.ran, "it ran each of its steps once: nothing recomputed");
  }

  @Test
  @DisplayName("fcfs with no row budget is the plain continuous batch: started members keep slots")
  void fcfsKeepsSlots() {
    StepBatch<Job> b = new StepBatch<>(2, true);
    b.enqueue(new Job("a", 10, 5, Priority.INTERACTIVE));
    b.enqueue(new Job("c", 10, 5, Priority.INTERACTIVE));
    assertEquals(List.of("a", "c"), step(b));
    b.enqueue(new Job("short", 1, 1, Priority.INTERACTIVE));
    for (int i = 0; i < 4; i++) assertEquals(List.of("a", "c"), step(b));
    assertEquals(List.of("short"), step(b));
  }

  @Test
  @DisplayName(
      "no starvation: srpt with a 20-row step and a 10-row one-step request arriving every step"
          + " (half the rows), a 15-row batch-class request never fits beside one; aging runs it at"
          + " least once every 2 × agingSteps + 1 worker steps, so its 20 steps end within 20 × 9")
  void noStarvation() {
    int aging = 4;
    StepPolicy policy = new StepPolicy(Scheduling.SRPT, aging);
    StepBatch<Job> b = new StepBatch<>(8, true, policy, 20);
    Job longJ = new Job("long", 15, 20, Priority.BATCH);
    b.enqueue(longJ);
    long bound = policy.starvationBound(Priority.BATCH) + 1; // steps between two of its steps
    assertEquals(9, bound);
    long lastRan = 0;
    long step = 0;
    int shorts = 0;
    while (longJ.left > 0) {
      b.enqueue(new Job("s" + shorts++, 10, 1, Priority.INTERACTIVE));
      step++;
      if (step(b).contains("long")) {
        assertTrue(
            step - lastRan <= bound,
            "the long request waited " + (step - lastRan - 1) + " steps, bound " + bound);
        lastRan = step;
      }
      assertTrue(step <= 20 * bound, "the long request must end within 20 × " + bound + " steps");
    }
    assertEquals(20 * bound, step, "it ran exactly once every " + bound + " steps");
    assertTrue(b.queued().size() <= 1, "the short requests did not pile up: " + b.queued());
  }

  @Test
  @DisplayName("without aging (a huge aging step count) the same long request never runs")
  void starvesWithoutAging() {
    StepBatch<Job> b = new StepBatch<>(8, true, new StepPolicy(Scheduling.SRPT, 1_000_000), 20);
    Job longJ = new Job("long", 15, 20, Priority.BATCH);
    b.enqueue(longJ);
    for (int i = 0; i < 500; i++) {
      b.enqueue(new Job("s" + i, 10, 1, Priority.INTERACTIVE));
      step(b);
    }
    assertEquals(0, longJ.ran, "the guard is what runs it");
  }

  @Test
  @DisplayName(
      "the auto row budget: none under fcfs, before calibration, or when the rows costing the"
          + " fit's fixed part are fewer than an image's (a CPU); those rows when more")
  void autoRows() {
    ModelConfig c = Presets.tiny();
    int n = c.sequenceLength();
    double perRow =
        (FlopModel.block(c, c.promptTokens() + c.imageTokens(), n)
                - FlopModel.block(c, c.promptTokens(), n))
            / c.imageTokens();
    CostModel cpu = new CostModel(new LinearFit(0, 1e-9, 1, 5), Map.of());
    assertEquals(Long.MAX_VALUE, StepRows.auto(Scheduling.FCFS, cpu, c));
    assertEquals(Long.MAX_VALUE, StepRows.auto(Scheduling.SRPT, null, c));
    assertEquals(
        Long.MAX_VALUE, StepRows.auto(Scheduling.SRPT, cpu, c), "no flat part (a CPU): none");
    // a fixed part worth half an image's rows: below one image, none either
    CostModel half =
        new CostModel(new LinearFit(1e-9 * perRow * c.imageTokens() / 2, 1e-9, 1, 5), Map.of());
    assertEquals(Long.MAX_VALUE, StepRows.auto(Scheduling.SRPT, half, c));
    // a fixed part worth 10 images' rows: flat up to there
    CostModel flat =
        new CostModel(new LinearFit(1e-9 * perRow * 10 * c.imageTokens(), 1e-9, 1, 5), Map.of());
    long rows = StepRows.auto(Scheduling.EDF, flat, c);
    assertTrue(Math.abs(rows - 10L * c.imageTokens()) <= 1, "10 images' rows, got " + rows);
    assertEquals(7, StepRows.of(7, Scheduling.SRPT, flat, c), "a set budget wins");
    // shared rows (batch work beside interactive work): the knee, at least one image's tokens
    assertEquals(c.imageTokens(), StepRows.shared(0, Scheduling.SRPT, cpu, c));
    assertTrue(Math.abs(StepRows.shared(0, Scheduling.EDF, flat, c) - 10L * c.imageTokens()) <= 1);
    assertEquals(Long.MAX_VALUE, StepRows.shared(0, Scheduling.FCFS, cpu, c));
    assertEquals(Long.MAX_VALUE, StepRows.shared(0, Scheduling.SRPT, null, c));
    assertEquals(Long.MAX_VALUE, StepRows.shared(7, Scheduling.SRPT, cpu, c), "a set budget");
  }
}
