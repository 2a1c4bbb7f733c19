package io.instgenie.verticles.http.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a drain waits for: webhooks delivered or given up, within a bound. */
class WebhooksSettledTest {
  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Runs {@code f} on the event loop the webhooks live on. */
  private <T> T onLoop(Supplier<Future<T>> f) throws Exception {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> f.get().onComplete(p));
    return await(p.future());
  }

  /** A receiver answering {@code status} after {@code delayMs}; answers its port. */
  private int receiver(int status, long delayMs) throws Exception {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                r -> vertx.setTimer(delayMs, t -> r.response().setStatusCode(status).end()));
    return await(server.listen(0)).actualPort();
  }

  @Test
  @DisplayName("settled waits for a delivery under way (a slow receiver) and then says delivered")
  void waitsForDelivery() throws Exception {
    int port = receiver(200, 400);
    Webhooks w = new Webhooks(vertx, 60_000);
    long t0 = System.nanoTime();
    JsonObject state =
        onLoop(
            () -> {
              w.expect("e1", URI.create("http://127.0.0.1:" + port + "/hook"));
              w.deliver("e1", "secret", new JsonObject().put("id", "e1"));
              return w.settled(20_000).map(v -> w.state("e1"));
            });
    assertTrue(state.getBoolean("delivered"), state.encode());
    assertTrue((System.nanoTime() - t0) / 1e6 >= 350, "it waited for the slow receiver");
  }

  @Test
  @DisplayName("settled gives up waiting at its bound while a receiver keeps failing")
  void boundedWhileFailing() throws Exception {
    int port = receiver(500, 0);
    Webhooks w = new Webhooks(vertx, 600_000);
    JsonObject state =
        onLoop(
            () -> {
              w.expect("e2", URI.create("http://127.0.0.1:" + port + "/hook"));
              w.deliver("e2", "secret", new JsonObject().put("id", "e2"));
              return w.settled(500).map(v -> w.state("e2"));
            });
    assertFalse(state.getBoolean("delivered"), state.encode());
    assertFalse(state.getBoolean("gave_up"), state.encode());
    assertTrue(state.getInteger("attempts") >= 1, state.encode());
    // it returned while the delivery is still pending: at its bound, not at the delivery's end
    assertEquals(1, (int) onLoop(() -> Future.succeededFuture(w.pending())));
  }
}
