package io.instgenie.verticles;

import io.instgenie.kernels.io.Images;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobResult;
import io.instgenie.verticles.messages.Origin;
import io.instgenie.verticles.observe.EditLog;
import io.instgenie.verticles.observe.EditTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Post-processing, a worker verticle: encodes finished edits as PNG, off the step loop and the
 * event loops. Whatever goes wrong here (an exception or an error) ends the edit as {@code failed}.
 */
public final class PostProcessVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PostProcessVerticle.class);
  private final Faults faults;
  private final EditTracing tracing;

  public PostProcessVerticle() {
    this(Faults.NONE, EditTracing.OFF);
  }

  public PostProcessVerticle(Faults faults, EditTracing tracing) {
    this.faults = faults;
    this.tracing = tracing;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JobResult>localConsumer(Addresses.ENCODE, this::encode).completion();
  }

  /** The post-process span, a child of the request whose context the message headers carry. */
  private void encode(Message<JobResult> msg) {
    Origin origin = EditTracing.origin(msg.headers());
    Context request = tracing.extract(origin.traceparent());
    Span span =
        tracing
            .tracer()
            .spanBuilder("post-process")
            .setParent(request)
            .setAttribute("instgenie.edit_id", msg.body().id())
            .startSpan();
    try {
      encode(msg.body(), origin, span);
    } finally {
      span.end();
    }
  }

  private void encode(JobResult r, Origin origin, Span span) {
    long t0 = System.nanoTime();
    EncodedResult out;
    try {
      faults.check(Faults.Point.POST_PROCESS);
      byte[] png = encodePng(r);
      out =
          new EncodedResult(
              r.id(), png, r.timings().withPostProcess((System.nanoTime() - t0) / 1_000_000));
    } catch (RuntimeException | Error e) {
      span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
      EditLog.log(LOG, Level.ERROR, r.id(), origin, "post-processing failed", e);
      vertx
          .eventBus()
          .send(
              Addresses.JOB_EVENT,
              JobEvent.of(
                  r.id(), new JobEvent.Failed("cannot encode the result: " + e.getMessage())));
      return;
    }
    vertx.eventBus().send(Addresses.JOB_RESULT, out);
  }

  private byte[] encodePng(JobResult r) {
    faults.check(Faults.Point.ENCODE);
    return Images.encodePng(r.image());
  }
}
