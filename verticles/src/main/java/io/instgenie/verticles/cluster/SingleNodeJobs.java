package io.instgenie.verticles.cluster;

import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.JobStatus;
import io.instgenie.verticles.messages.Registration;
import io.instgenie.verticles.messages.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.function.Supplier;

/** The job table of a node that runs alone: every job is its own; an unknown id is a 404. */
final class SingleNodeJobs implements JobCluster {
  @Override
  public JobMirror mirror(Registration reg, Supplier<JobSnapshot> snapshot) {
    return JobMirror.NONE;
  }

  @Override
  public Future<?> start(Table table) {
    return Future.succeededFuture();
  }

  @Override
  public boolean forwardHome(JobEvent e) {
    return false;
  }

  @Override
  public boolean forwardHome(EncodedResult r) {
    return false;
  }

  @Override
  public Future<Void> storeImage(String id, byte[] png) {
    return Future.succeededFuture();
  }

  @Override
  public Future<JobSnapshot> job(String id) {
    return Future.failedFuture(unknown(id));
  }

  @Override
  public Future<Buffer> image(String id) {
    return Future.failedFuture(unknown(id));
  }

  @Override
  public Future<JobStatus> cancel(String id) {
    return Future.failedFuture(unknown(id));
  }

  @Override
  public boolean templateHeld(String templateId) {
    return false;
  }

  @Override
  public void drain() {}

  /** Never called: a node alone keeps its queue while it drains. */
  @Override
  public void handBack(DenoiseTask t) {
    throw new IllegalStateException("a node alone hands no task back (edit " + t.id() + ")");
  }

  @Override
  public boolean readmit(JobMirror m) {
    return false;
  }

  @Override
  public int guestsHeld() {
    return 0;
  }

  @Override
  public boolean takesOver() {
    return false;
  }

  private static ServiceException unknown(String id) {
    return new ServiceException(ServiceException.NOT_FOUND, "unknown edit id " + id);
  }
}
