package io.instgenie.verticles;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** Test classes that share one service with the default test configuration for all their tests. */
@ExtendWith(VertxExtension.class)
abstract class SharedService {
  /** The running service's client; set before the first test of each class. */
  static ServiceClient client;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    ServiceClient.start(vertx, ServiceClient.config())
        .onComplete(
            ctx.succeeding(
                c -> {
                  client = c;
                  ctx.completeNow();
                }));
  }

  @AfterAll
  static void stop(Vertx vertx, VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }
}
