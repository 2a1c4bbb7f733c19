package io.instgenie.verticles.batching;

import io.instgenie.verticles.messages.DenoiseTask;
import java.util.function.Consumer;

/**
 * Where a step loop's queued tasks go once its node drains in a cluster: they leave unstarted, to
 * be placed on another node, while started members finish here.
 */
final class LoopHandBack {
  private volatile Consumer<DenoiseTask> to;

  /** Thread-safe: from the loop's next turn on, queued tasks leave to {@code to}. */
  void set(Consumer<DenoiseTask> to) {
    this.to = to;
  }

  /**
   * Once set: the queued members that never started leave before any of them is admitted (one back
   * from a template run it waited for has started: it stays). Runs on the loop's thread.
   */
  void apply(StepBatch<Member> batch) {
    Consumer<DenoiseTask> target = to;
    if (target == null) return;
    for (Member m : batch.removeAllQueued(m -> m instanceof EditMember e && e.startedAtMs < 0)) {
      m.release();
      target.accept(((EditMember) m).task);
    }
  }
}
