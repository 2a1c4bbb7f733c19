package io.instgenie.verticles.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The batch-formation rules alone, on named members "template:id" (a "!" prefix: a template run).
 */
class StepBatchTest {
  /** Members whose template is in {@code held} run at once; others wait for a template run. */
  private static BatchRules<String> rules(Set<String> held, List<String> log) {
    return new BatchRules<>() {
      @Override
      public boolean held(String m) {
        return m.startsWith("hold");
      }

      @Override
      public StepBatch.Start start(String m) {
        log.add(m);
        String t = m.split(":")[0];
        if (m.endsWith(":done")) return StepBatch.Start.DONE;
        return held.contains(t) ? StepBatch.Start.RUN : new StepBatch.Start.AwaitTemplate(t);
      }

      @Override
      public String templateRun(String templateId, String first) {
        return templateId.startsWith("oom") ? null : "!" + templateId;
      }
    };
  }

  @Test
  @DisplayName("continuous: queued members join up to max batch, in order; held ones keep place")
  void continuousUpToMaxBatch() {
    StepBatch<String> b = new StepBatch<>(3, true);
    List.of("a:1", "hold:2", "a:3", "a:4", "a:5").forEach(b::enqueue);
    List<String> log = new ArrayList<>();
    b.admit(rules(Set.of("a"), log));
    assertEquals(List.of("a:1", "a:3", "a:4"), b.running());
    assertEquals(List.of("hold:2", "a:5"), List.copyOf(b.queued()));
    b.removeRunning("a:1"::equals);
    b.admit(rules(Set.of("a"), log));
    assertEquals(List.of("a:3", "a:4", "a:5"), b.running());
  }

  @Test
  @DisplayName("static: members join only an empty batch")
  void staticOnlyWhenEmpty() {
    StepBatch<String> b = new StepBatch<>(2, false);
    List.of("a:1", "a:2", "a:3").forEach(b::enqueue);
    b.admit(rules(Set.of("a"), new ArrayList<>()));
    b.removeRunning("a:1"::equals);
    b.admit(rules(Set.of("a"), new ArrayList<>()));
    assertEquals(List.of("a:2"), b.running());
  }

  @Test
  @DisplayName("edits of a missing template share one template run, hold no slot, rejoin first")
  void templateRunShared() {
    StepBatch<String> b = new StepBatch<>(2, true);
    List.of("x:1", "x:2", "y:3", "x:4", "z:done").forEach(b::enqueue);
    b.admit(rules(Set.of(), new ArrayList<>()));
    // x:1 starts x's run (a slot), x:2 waits on it, y:3 starts y's run (the second slot)
    assertEquals(List.of("!x", "!y"), b.running());
    assertEquals(List.of("x:1", "x:2"), b.waits().waiters("x"));
    assertTrue(b.waits().running("y"));
    b.removeRunning("!x"::equals);
    b.enqueue("x:5");
    List<String> rejected = new ArrayList<>();
    b.templateRunDone(
        "x",
        w -> {
          if (w.equals("x:2")) {
            rejected.add(w);
            return false;
          }
          return true;
        });
    assertEquals(List.of("x:2"), rejected);
    assertEquals(List.of("x:1", "x:4", "z:done", "x:5"), List.copyOf(b.queued()));
    assertEquals(List.of(), b.waits().waiters("x"));
  }

  @Test
  @DisplayName("a waiter can be removed (cancelled) from any template run")
  void removeWaiter() {
    StepBatch<String> b = new StepBatch<>(4, true);
    List.of("x:1", "x:2").forEach(b::enqueue);
    b.admit(rules(Set.of(), new ArrayList<>()));
    assertTrue(b.waits().removeFirst(m -> m.equals("x:2")));
    assertEquals(List.of("x:1"), b.waits().waiters("x"));
    assertTrue(!b.waits().removeFirst(m -> m.equals("x:9")));
  }

  @Test
  @DisplayName(
      "a template run that cannot start ends only its first member: no run, no waiting list, the"
          + " next edit of that template asks for a run of its own")
  void templateRunThatCannotStart() {
    StepBatch<String> b = new StepBatch<>(4, true);
    List.of("oom:1", "a:2").forEach(b::enqueue);
    b.admit(rules(Set.of("a"), new ArrayList<>()));
    assertEquals(List.of("a:2"), b.running());
    assertTrue(!b.waits().running("oom"), "no run is registered for a template whose run failed");
    assertEquals(List.of(), b.waits().waiters("oom"));
    b.enqueue("oom:3");
    List<String> log = new ArrayList<>();
    b.admit(rules(Set.of("a"), log));
    assertEquals(List.of("oom:3"), log, "the next edit of the template starts (and asks again)");
    assertEquals(List.of(), List.copyOf(b.queued()));
  }
}
