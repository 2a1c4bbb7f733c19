package io.instgenie.loadtest;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.verticles.InstGenieService;
import io.instgenie.verticles.ServiceConfig;
import io.vertx.core.Vertx;
import java.time.Duration;

/** An InstGenIE service in the load test's own JVM, listening on 127.0.0.1 and a free port. */
final class InProcessServer implements AutoCloseable {
  private final Vertx vertx;
  private final InstGenieService service;

  private InProcessServer(Vertx vertx, InstGenieService service) {
    this.vertx = vertx;
    this.service = service;
  }

  /** Starts the service and waits until it reports ready (model warmed up and calibrated). */
  static InProcessServer start(DitModel model, ServiceConfig config, Duration readyWithin)
      throws InterruptedException {
    Vertx vertx = Vertx.vertx();
    InstGenieService service = InstGenieService.start(vertx, config, model).await();
    long deadline = System.nanoTime() + readyWithin.toNanos();
    while (!service.ready()) {
      if (System.nanoTime() > deadline) {
        vertx.close().await();
        throw new IllegalStateException("the in-process service was not ready in " + readyWithin);
      }
      Thread.sleep(50);
    }
    return new InProcessServer(vertx, service);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + service.port();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
