package io.instgenie.verticles;

import static io.instgenie.verticles.FaultInjectionTest.await;
import static io.instgenie.verticles.FaultInjectionTest.form;
import static io.instgenie.verticles.FaultInjectionTest.newTemplate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.faults.Faults;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A denoise worker whose start-up throws is reported and routed around; no edit waits on it. */
class WorkerStartFaultTest {
  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  @DisplayName(
      "of two workers, one fails to start: /health/ready says which and why, and every edit runs"
          + " on the other")
  void oneOfTwoFails() throws Exception {
    Faults faults = Faults.armable().arm(Faults.Point.WORKER_START, 1);
    ServiceClient client =
        await(
            ServiceClient.start(
                vertx,
                ServiceClient.config(Map.of("workers", "2", "queue_capacity", "4")),
                faults));
    FaultInjectionTest.awaitReady(client);
    HttpResponse<Buffer> ready = await(client.get("/health/ready"));
    JsonObject failed = ready.bodyAsJsonObject().getJsonObject("failed_workers");
    assertEquals(1, failed.size(), ready.bodyAsString());
    String why = failed.getString(failed.fieldNames().iterator().next());
    assertTrue(why.contains("failed to start") && why.contains("injected fault"), why);
    FaultInjectionTest.assertSlotsFreeAndReady(client, 4);
  }

  @Test
  @DisplayName(
      "the only worker fails to start: the node is not ready (503 NO_WORKER) and an accepted edit"
          + " ends failed instead of waiting for ever")
  void onlyWorkerFails() throws Exception {
    Faults faults = Faults.armable().arm(Faults.Point.WORKER_START, 1);
    ServiceClient client =
        await(ServiceClient.start(vertx, ServiceClient.config(Map.of()), faults));
    HttpResponse<Buffer> ready =
        await(
            client.poll(
                "/health/ready to say NO_WORKER",
                () -> client.get("/health/ready"),
                r -> "NO_WORKER".equals(r.bodyAsJsonObject().getString("status"))));
    assertEquals(503, ready.statusCode(), ready.bodyAsString());
    String id = await(client.submit(form(newTemplate())));
    JsonObject end = await(client.awaitFinished(id));
    assertEquals("failed", end.getString("status"), end.encode());
    assertTrue(end.getString("error").contains("no denoise worker"), end.encode());
  }
}
