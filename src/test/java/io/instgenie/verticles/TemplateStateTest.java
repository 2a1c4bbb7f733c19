package io.instgenie.verticles;

import static io.instgenie.verticles.FaultInjectionTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.kernels.edit.TemplateId;
import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/templates/{id}} says {@code ready} only while a tier holds the activations. */
class TemplateStateTest {
  private static final int STEPS = 6;

  /** One template run of the tiny model: steps × depth × tokens × hidden × 4 bytes. */
  private static final long RUN_BYTES =
      (long) STEPS
          * TestImages.TINY.depth()
          * TestImages.TINY.imageTokens()
          * TestImages.TINY.hiddenSize()
          * 4;

  private static Vertx vertx;
  private static ServiceClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // memory for one template run and a half, no disk tier: the second evicts the first
    ServiceConfig c =
        ServiceClient.config(Map.of("cache_memory_bytes", String.valueOf(RUN_BYTES * 3 / 2)));
    client = await(ServiceClient.start(vertx, c));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  private static String warm(RgbImage template) throws Exception {
    HttpResponse<Buffer> r =
        await(
            client.putForm(
                "/v1/templates", ServiceClient.editForm(template, null, null, STEPS, null)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("template_id");
  }

  private static JsonObject state(String id) throws Exception {
    HttpResponse<Buffer> r = await(client.get("/v1/templates/" + id));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  @DisplayName(
      "an evicted template says evicted with no tier; an edit of it redoes the run and it is"
          + " ready in memory again")
  void evictedThenReadyAgain() throws Exception {
    RgbImage a = TestImages.template(8101);
    String idA = warm(a);
    assertEquals(TemplateId.of(a, client.model.digest(), STEPS), idA);
    assertEquals(new JsonArray().add("memory"), state(idA).getJsonArray("tiers"));
    String idB = warm(TestImages.template(8102));
    assertEquals("ready", state(idB).getString("status"));
    JsonObject evicted = state(idA);
    assertEquals("evicted", evicted.getString("status"), evicted.encode());
    assertEquals(new JsonArray(), evicted.getJsonArray("tiers"));
    String edit =
        await(
            client.submit(
                ServiceClient.editForm(
                    a, TestImages.rectMask(2, 2, 5, 5), "a red circle", STEPS, 3L)));
    assertEquals("completed", await(client.awaitFinished(edit)).getString("status"));
    JsonObject again = state(idA);
    assertEquals("ready", again.getString("status"), again.encode());
    assertEquals(new JsonArray().add("memory"), again.getJsonArray("tiers"));
  }
}
