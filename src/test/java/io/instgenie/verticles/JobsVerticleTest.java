package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.cluster.JobCluster;
import io.instgenie.verticles.cluster.JobMirror;
import io.instgenie.verticles.codec.Codecs;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.JobStatus;
import io.instgenie.verticles.messages.Owner;
import io.instgenie.verticles.messages.Placement;
import io.instgenie.verticles.messages.Registration;
import io.instgenie.verticles.messages.ServiceException;
import io.instgenie.verticles.metrics.ServiceMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The job table alone, with a cluster side whose writes fail. */
class JobsVerticleTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Registration registration(String id) {
    return new Registration(id, "tpl", 4, 1L, false, Long.MAX_VALUE, Owner.NONE, null);
  }

  @Test
  @DisplayName(
      "an edit whose record the cluster does not take is refused with 503 and leaves nothing: not"
          + " in the table, its slot free for the next edit")
  void unrecordedEditRefused() throws Exception {
    Codecs.register(vertx);
    JobCluster failingWrites = new FailingWrites(JobCluster.SINGLE_NODE);
    await(
        vertx.deployVerticle(
            new JobsVerticle(1, 10, 60_000, new ServiceMetrics(), failingWrites, t -> Set.of())));
    for (String id : new String[] {"a", "b"}) { // capacity 1: a leaked slot would make b a 429
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> await(vertx.eventBus().request(Addresses.JOB_REGISTER, registration(id))));
      ReplyException r = assertInstanceOf(ReplyException.class, e.getCause());
      assertEquals(ServiceException.UNAVAILABLE, r.failureCode(), r.getMessage());
      assertTrue(r.getMessage().contains("could not be recorded in the cluster"), r.getMessage());
      ExecutionException missing =
          assertThrows(
              ExecutionException.class,
              () -> await(vertx.eventBus().<JobSnapshot>request(Addresses.JOB_GET, id)));
      assertEquals(
          ServiceException.NOT_FOUND,
          assertInstanceOf(ReplyException.class, missing.getCause()).failureCode());
    }
  }

  /** One node's behaviour, but every job record's write fails (a partitioned cluster map). */
  private record FailingWrites(JobCluster single) implements JobCluster {
    @Override
    public JobMirror mirror(Registration reg, Supplier<JobSnapshot> snapshot) {
      return new JobMirror() {
        @Override
        public void placed(Placement p) {}

        @Override
        public JobEvent withNode(JobEvent e) {
          return e;
        }

        @Override
        public void ended() {}

        @Override
        public Future<Void> write() {
          return Future.failedFuture("test: the cluster's job map refused the write");
        }
      };
    }

    @Override
    public Future<?> start(Table table) {
      return single.start(table);
    }

    @Override
    public boolean forwardHome(JobEvent e) {
      return single.forwardHome(e);
    }

    @Override
    public boolean forwardHome(EncodedResult r) {
      return single.forwardHome(r);
    }

    @Override
    public Future<Void> storeImage(String id, byte[] png) {
      return single.storeImage(id, png);
    }

    @Override
    public Future<JobSnapshot> job(String id) {
      return single.job(id);
    }

    @Override
    public Future<Buffer> image(String id) {
      return single.image(id);
    }

    @Override
    public Future<JobStatus> cancel(String id) {
      return single.cancel(id);
    }

    @Override
    public boolean templateHeld(String templateId) {
      return single.templateHeld(templateId);
    }

    @Override
    public void drain() {
      single.drain();
    }

    @Override
    public void handBack(DenoiseTask t) {
      single.handBack(t);
    }

    @Override
    public boolean readmit(JobMirror m) {
      return single.readmit(m);
    }

    @Override
    public int guestsHeld() {
      return single.guestsHeld();
    }

    @Override
    public boolean takesOver() {
      return single.takesOver();
    }
  }
}
