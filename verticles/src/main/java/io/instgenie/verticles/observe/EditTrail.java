package io.instgenie.verticles.observe;

import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Origin;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A denoise worker's spans and log lines for the edits it runs, driven by their job events: {@code
 * queue} (admission to start), {@code denoise} (start to pixels, one {@code step} event per step)
 * with {@code template run} inside it when the edit waited for one. Their parent is the request's
 * context, which the task carried here (across nodes too). Thread-safe: tasks arrive on the
 * worker's context, events come from its step-loop thread.
 */
public final class EditTrail {
  private static final Logger LOG = LoggerFactory.getLogger(EditTrail.class);
  private static final AttributeKey<String> EDIT_ID = AttributeKey.stringKey("instgenie.edit_id");
  private static final AttributeKey<Long> STEP = AttributeKey.longKey("instgenie.step");
  private static final AttributeKey<Long> TOTAL = AttributeKey.longKey("instgenie.steps");
  private static final AttributeKey<Long> WORKER_STEP =
      AttributeKey.longKey("instgenie.worker_step");

  private final EditTracing tracing;
  private final Map<String, Trail> trails = new ConcurrentHashMap<>();

  /** One edit's open spans. */
  private static final class Trail {
    final DenoiseTask task;
    final Context parent;
    Span denoise;
    Span template;

    /** The last step traced (0: none): a keep-alive repeats it. */
    int lastStep;

    Trail(DenoiseTask task, Context parent) {
      this.task = task;
      this.parent = parent;
    }
  }

  public EditTrail(EditTracing tracing) {
    this.tracing = tracing;
  }

  /** A task reached this worker. */
  public void arrived(DenoiseTask task) {
    trails.put(task.id(), new Trail(task, tracing.extract(task.origin().traceparent())));
  }

  /** A task left this worker unrun (its worker failed; it is routed again). */
  public void left(String id) {
    Trail t = trails.remove(id);
    if (t != null) end(t, null);
  }

  /** One of the worker's job events. */
  public void event(JobEvent e) {
    Trail t = trails.get(e.id());
    if (t == null) return;
    JobEvent.Body b = e.body();
    if (b instanceof JobEvent.Started) {
      if (t.denoise == null) started(t); // once: a held-back edit repeats it as a keep-alive
    } else if (b instanceof JobEvent.TemplateStep s) {
      templateStep(t, s);
    } else if (b instanceof JobEvent.Step s) {
      // a held-back edit's keep-alive repeats its step: nothing new to trace
      if (t.denoise != null && s.step() != t.lastStep) {
        t.lastStep = s.step();
        step(t.denoise, s);
      }
    } else if (b instanceof JobEvent.Completed) ended(e.id(), null, "template run done");
    else if (b instanceof JobEvent.Failed f) ended(e.id(), f.error(), "failed: " + f.error());
    else if (b instanceof JobEvent.Cancelled) ended(e.id(), null, "cancelled");
  }

  /**
   * An edit's pixels are done; answers its origin, which post-processing continues in (none for an
   * edit this trail never saw).
   */
  public Origin finished(String id) {
    Trail t = trails.get(id);
    if (t == null) return Origin.NONE;
    ended(id, null, "denoised; on to post-processing");
    return t.task.origin();
  }

  private static void step(Span denoise, JobEvent.Step s) {
    denoise.addEvent(
        "step",
        Attributes.of(STEP, (long) s.step(), TOTAL, (long) s.total(), WORKER_STEP, s.workerStep()));
  }

  private void started(Trail t) {
    long now = System.currentTimeMillis();
    tracing
        .tracer()
        .spanBuilder("queue")
        .setParent(t.parent)
        .setStartTimestamp(t.task.admittedAtMs(), TimeUnit.MILLISECONDS)
        .setAttribute(EDIT_ID, t.task.id())
        .startSpan()
        .end(now, TimeUnit.MILLISECONDS);
    t.denoise =
        tracing
            .tracer()
            .spanBuilder("denoise")
            .setParent(t.parent)
            .setAttribute(EDIT_ID, t.task.id())
            .setAttribute(TOTAL, (long) t.task.edit().steps())
            .startSpan();
    EditLog.info(LOG, t.task.id(), t.task.origin(), "started");
  }

  private void templateStep(Trail t, JobEvent.TemplateStep s) {
    if (t.template == null && t.denoise != null)
      t.template =
          tracing
              .tracer()
              .spanBuilder("template run")
              .setParent(Context.root().with(t.denoise))
              .setAttribute(EDIT_ID, t.task.id())
              .setAttribute(TOTAL, (long) s.total())
              .startSpan();
    if (t.template != null && s.step() >= s.total()) {
      t.template.end();
      t.template = null;
    }
  }

  private void ended(String id, String error, String what) {
    Trail t = trails.remove(id);
    if (t == null) return;
    end(t, error);
    EditLog.log(LOG, error == null ? Level.INFO : Level.WARN, id, t.task.origin(), what, null);
  }

  private static void end(Trail t, String error) {
    if (t.template != null) t.template.end();
    if (t.denoise != null) {
      if (error != null) t.denoise.setStatus(StatusCode.ERROR, error);
      t.denoise.end();
    }
  }
}
