package io.instgenie.verticles;

import io.instgenie.kernels.io.Images;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Post-processing, a worker verticle: encodes finished edits as PNG, off the step loop and the
 * event loops.
 */
public final class PostProcessVerticle extends VerticleBase {
  @Override
  public Future<?> start() {
    return vertx.eventBus().<JobResult>localConsumer(Addresses.ENCODE, this::encode).completion();
  }

  private void encode(Message<JobResult> msg) {
    JobResult r = msg.body();
    long t0 = System.nanoTime();
    try {
      byte[] png = Images.encodePng(r.image());
      Map<String, Object> timings = new LinkedHashMap<>(r.timings());
      timings.put("post_process_ms", (System.nanoTime() - t0) / 1_000_000);
      vertx.eventBus().send(Addresses.JOB_RESULT, new EncodedResult(r.id(), png, timings));
    } catch (RuntimeException e) {
      vertx
          .eventBus()
          .send(
              Addresses.JOB_EVENT,
              JobEvent.of(
                  r.id(), "failed", "error", "cannot encode the result: " + e.getMessage()));
    }
  }
}
