package io.instgenie.verticles;

import io.instgenie.kernels.io.Images;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;

/**
 * Post-processing, a worker verticle: encodes finished edits as PNG, off the step loop and the
 * event loops. Whatever goes wrong here (an exception or an error) ends the edit as {@code failed}.
 */
public final class PostProcessVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(PostProcessVerticle.class.getName());
  private final Faults faults;

  public PostProcessVerticle() {
    this(Faults.NONE);
  }

  public PostProcessVerticle(Faults faults) {
    this.faults = faults;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JobResult>localConsumer(Addresses.ENCODE, this::encode).completion();
  }

  private void encode(Message<JobResult> msg) {
    JobResult r = msg.body();
    long t0 = System.nanoTime();
    EncodedResult out;
    try {
      faults.check(Faults.Point.POST_PROCESS);
      byte[] png = encodePng(r);
      out =
          new EncodedResult(
              r.id(), png, r.timings().withPostProcess((System.nanoTime() - t0) / 1_000_000));
    } catch (RuntimeException | Error e) {
      LOG.log(System.Logger.Level.ERROR, "edit " + r.id() + ": post-processing failed", e);
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
