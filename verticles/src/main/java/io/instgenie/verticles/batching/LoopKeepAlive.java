package io.instgenie.verticles.batching;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Keeps the job table's watchdog ({@code stall_ms}) from taking a held-back edit for a lost one. A
 * started edit hears an event at every step it runs; one the scheduler holds back (preempted at a
 * step boundary, not yet chosen, or waiting for a template run that is itself held back) hears
 * nothing while it waits. So once every period each started edit of this loop that the step just
 * run did not include hears its latest progress again: an edit that has stepped its {@code step}
 * (same step, fresh ETA), one that has not {@code started}, a waiter its template run's {@code
 * template} step. Called on the step-loop thread.
 */
public final class LoopKeepAlive {
  /** The period when none is set: a quarter of the default {@code stall_ms}. */
  public static final long DEFAULT_PERIOD_MS = 15_000;

  private volatile long periodMs = DEFAULT_PERIOD_MS;
  private long lastMs = -1;

  /** Thread-safe: how often held-back edits re-report (ms, at least 1). */
  void period(long ms) {
    if (ms < 1) throw new IllegalArgumentException("keep-alive period must be >= 1 ms, got " + ms);
    periodMs = ms;
  }

  /**
   * Re-reports the held-back edits when a period has passed since the last time; {@code ends}
   * supplies the ETAs (asked for only then).
   */
  void maybeSend(
      StepBatch<Member> batch, LoopEvents events, Supplier<Map<Member, Double>> ends, long nowMs) {
    if (lastMs < 0) lastMs = nowMs;
    if (nowMs - lastMs < periodMs) return;
    lastMs = nowMs;
    List<Member> stepping = batch.stepping();
    Map<Member, Double> eta = null;
    for (Member m : batch.running()) {
      if (stepping.contains(m)) continue;
      if (m instanceof EditMember e) {
        if (e.job == null || e.job.step() == 0) {
          events.started(e.id());
        } else {
          if (eta == null) eta = ends.get();
          events.step(e, eta.getOrDefault(e, 0.0));
        }
      }
    }
    batch
        .waits()
        .forEachWaiting(
            (templateId, waiters) -> {
              TemplateRunMember run = run(batch, templateId);
              if (run != null && stepping.contains(run)) return; // they heard this step
              int step = run == null ? 0 : run.job.step();
              int total =
                  run == null ? ((EditMember) waiters.get(0)).task.edit().steps() : run.job.steps();
              for (Member w : waiters) events.templateStep(w.id(), step, total);
            });
  }

  /** The template run of {@code templateId} among the started members, or null (still queued). */
  private static TemplateRunMember run(StepBatch<Member> batch, String templateId) {
    for (Member m : batch.running()) {
      if (m instanceof TemplateRunMember r && r.templateId.equals(templateId)) return r;
    }
    return null;
  }
}
