package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.edit.TemplateId;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.faults.Faults;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every accepted edit ends: a fault injected at each point of its path ends it with exactly one
 * terminal event, its slot is free afterwards ({@code queue_capacity} edits are admitted and
 * complete) and the service stays ready.
 */
class FaultInjectionTest {
  private static final int CAPACITY = 3;
  private static final int STEPS = 3;
  private static final AtomicLong TEMPLATES = new AtomicLong(7000);
  private Faults faults;
  private Vertx vertx;
  private ServiceClient client;

  /** A service of its own per test, so that one test's stuck edit cannot fail the next. */
  @BeforeEach
  void start() throws Exception {
    faults = Faults.armable();
    vertx = Vertx.vertx();
    client =
        await(
            ServiceClient.start(
                vertx, ServiceClient.config(Map.of("queue_capacity", "" + CAPACITY)), faults));
    awaitReady(client);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Faults.Point.class,
      names = {
        "ROUTE",
        "MEMBER_START",
        "TEMPLATE_RUN_SETUP",
        "STEP",
        "FINISH",
        "POST_PROCESS",
        "ENCODE"
      })
  @DisplayName(
      "a fault (an exception or an error) at each point of an edit's path ends it failed, once;"
          + " its slot is free and the service ready")
  void faultEndsTheEditOnce(Faults.Point point) throws Exception {
    faults.arm(point, 1);
    faultEndsTheEdit(point);
    faults.arm(point, 1, Faults.InjectedError::new);
    faultEndsTheEdit(point);
  }

  private void faultEndsTheEdit(Faults.Point point) throws Exception {
    String id = await(client.submit(form(newTemplate())));
    JsonObject end = await(client.awaitFinished(id));
    assertEquals("failed", end.getString("status"), "the edit after a fault at " + point);
    String where = point.name().toLowerCase(Locale.ROOT);
    assertTrue(
        end.getString("error").contains("injected fault at " + where),
        "the error names the fault: " + end);
    assertOneTerminal(id, "failed");
    assertSlotsFreeAndReady();
  }

  @Test
  @DisplayName(
      "an allocation failure (OutOfMemoryError) in a template run's set-up fails that edit only;"
          + " an edit of a cached template beside it completes")
  void allocationFailureEndsOnlyItsEdit() throws Exception {
    RgbImage cached = newTemplate();
    HttpResponse<Buffer> warm =
        await(
            client.putForm(
                "/v1/templates", ServiceClient.editForm(cached, null, null, STEPS, null)));
    assertEquals(200, warm.statusCode(), warm.bodyAsString());
    faults.arm(
        Faults.Point.TEMPLATE_RUN_SETUP,
        1,
        p -> new OutOfMemoryError("injected: cannot reserve direct memory"));
    String a = await(client.submit(form(newTemplate())));
    String b = await(client.submit(form(cached)));
    JsonObject endA = await(client.awaitFinished(a));
    JsonObject endB = await(client.awaitFinished(b));
    assertEquals("failed", endA.getString("status"), endA.encode());
    assertTrue(endA.getString("error").contains("OutOfMemoryError"), endA.encode());
    assertEquals("completed", endB.getString("status"), endB.encode());
    assertOneTerminal(a, "failed");
    assertSlotsFreeAndReady();
  }

  @Test
  @DisplayName(
      "a template whose first run failed says evicted (an edit of it redoes the run), not 404,"
          + " and an edit of it by template_id completes")
  void failedFirstRunLeavesTheTemplateUsable() throws Exception {
    RgbImage t = newTemplate();
    faults.arm(Faults.Point.TEMPLATE_RUN_SETUP, 1);
    String first = await(client.submit(form(t)));
    JsonObject end = await(client.awaitFinished(first));
    assertEquals("failed", end.getString("status"), end.encode());
    String templateId = TemplateId.of(t, client.model.digest(), STEPS);
    HttpResponse<Buffer> state = await(client.get("/v1/templates/" + templateId));
    assertEquals(200, state.statusCode(), state.bodyAsString());
    assertEquals("evicted", state.bodyAsJsonObject().getString("status"), state.bodyAsString());
    HttpResponse<Buffer> byId =
        await(
            client.postJson(
                "/v1/edits",
                new JsonObject()
                    .put("template_id", templateId)
                    .put("mask", TestImages.base64(TestImages.rectMask(1, 1, 4, 4)))
                    .put("prompt", "a red circle")
                    .put("steps", STEPS)));
    assertEquals(202, byId.statusCode(), byId.bodyAsString());
    JsonObject again = await(client.awaitFinished(byId.bodyAsJsonObject().getString("id")));
    assertEquals("completed", again.getString("status"), again.encode());
    assertEquals(
        "ready",
        await(client.get("/v1/templates/" + templateId)).bodyAsJsonObject().getString("status"));
  }

  /** The edit's whole event history ends in exactly one terminal event, of that type. */
  static void assertOneTerminal(ServiceClient client, String id, String type) throws Exception {
    List<JsonObject> events = await(client.sse(id).compose(EventStream::end));
    long terminal =
        events.stream()
            .filter(e -> List.of("completed", "failed", "cancelled").contains(e.getString("type")))
            .count();
    assertEquals(1, terminal, "terminal events of " + id + ": " + events);
    assertEquals(type, Lifecycle.last(events).getString("type"), "the last event: " + events);
  }

  private void assertOneTerminal(String id, String type) throws Exception {
    assertOneTerminal(client, id, type);
  }

  /** {@code queue_capacity} edits are admitted (no 429) and complete; the node answers ready. */
  static void assertSlotsFreeAndReady(ServiceClient client, int capacity) throws Exception {
    List<Future<String>> ids = new ArrayList<>();
    for (int i = 0; i < capacity; i++) ids.add(client.submit(form(newTemplate())));
    for (Future<String> id : ids) {
      JsonObject end = await(id.compose(client::awaitFinished));
      assertEquals("completed", end.getString("status"), end.encode());
    }
    HttpResponse<Buffer> ready = await(client.get("/health/ready"));
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
  }

  private void assertSlotsFreeAndReady() throws Exception {
    assertSlotsFreeAndReady(client, CAPACITY);
  }

  static RgbImage newTemplate() {
    return TestImages.template(TEMPLATES.incrementAndGet());
  }

  static io.vertx.ext.web.multipart.MultipartForm form(RgbImage template) {
    return ServiceClient.editForm(
        template, TestImages.rectMask(2, 2, 6, 5), "a red circle", STEPS, 1L);
  }

  /** Polls {@code /health/ready} until 200. */
  static void awaitReady(ServiceClient c) throws Exception {
    await(
        c.poll(
            "/health/ready to answer 200",
            () -> c.get("/health/ready"),
            r -> r.statusCode() == 200));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
