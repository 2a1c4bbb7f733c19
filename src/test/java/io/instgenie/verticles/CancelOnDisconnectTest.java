package io.instgenie.verticles;

import static io.instgenie.verticles.FaultInjectionTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.multipart.MultipartForm;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A client that goes away cancels what it asked for: the synchronous OpenAI endpoint always, a
 * progress follower when it asked for it ({@code ?cancel_on_close=1}). Counted in steps: the edits
 * are far longer than the steps that run before they leave.
 */
class CancelOnDisconnectTest {
  private static final int STEPS = ServiceClient.LONG_EDIT_STEPS;
  private static Vertx vertx;
  private static ServiceClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // the single-threaded reference backend and one member per step: slow steps
    client =
        await(
            ServiceClient.start(
                vertx, ServiceClient.config(Map.of("max_batch", "1", "backend", "reference"))));
    FaultInjectionTest.awaitReady(client);
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  private static MultipartForm form(long seed) {
    return ServiceClient.editForm(
        FaultInjectionTest.newTemplate(),
        TestImages.rectMask(2, 2, 6, 5),
        "a red circle",
        STEPS,
        seed);
  }

  @Test
  @DisplayName(
      "an SSE follower with ?cancel_on_close=1 that disconnects cancels a running edit long before"
          + " its last step; one without it does not")
  void sseCancelOnClose() throws Exception {
    String id = await(client.submit(form(1)));
    HttpClient http = vertx.createHttpClient();
    var res =
        await(
            http.request(
                    HttpMethod.GET,
                    client.port(),
                    ServiceClient.HOST,
                    "/v1/edits/" + id + "/events?cancel_on_close=1")
                .compose(req -> req.send()));
    EventStream s = EventStream.sse(res);
    await(s.first(EventStream.type("step")));
    await(http.close()); // the follower goes away
    JsonObject end = await(client.awaitFinished(id));
    assertEquals("cancelled", end.getString("status"), end.encode());
    assertTrue(end.getInteger("step") < STEPS, "cancelled before its last step: " + end);
  }

  @Test
  @DisplayName(
      "an SSE follower with ?cancel_on_close=1 that hangs up right after sending its request,"
          + " while the service still checks the edit, cancels it too")
  void sseHangUpBeforeTheAnswerCancels() throws Exception {
    for (int i = 0; i < 3; i++) {
      String id = await(client.submit(form(10 + i)));
      var socket = await(vertx.createNetClient().connect(client.port(), ServiceClient.HOST));
      await(
          socket.write(
              "GET /v1/edits/"
                  + id
                  + "/events?cancel_on_close=1 HTTP/1.1\r\nHost: "
                  + ServiceClient.HOST
                  + "\r\n\r\n"));
      await(socket.close());
      JsonObject end = await(client.awaitFinished(id));
      assertEquals("cancelled", end.getString("status"), "try " + i + ": " + end.encode());
    }
  }

  @Test
  @DisplayName(
      "POST /v1/images/edits whose client goes away cancels its edit: the job table empties"
          + " long before the edit's steps could have run")
  void syncCancelOnClose() throws Exception {
    double stepsBefore = await(client.metric("instgenie_step_seconds_count"));
    HttpClient http = vertx.createHttpClient(new HttpClientOptions());
    MultipartForm f = MultipartForm.create();
    f.binaryFileUpload(
        "image", "t.png", TestImages.png(FaultInjectionTest.newTemplate()), "image/png");
    f.binaryFileUpload(
        "mask",
        "m.png",
        io.vertx.core.buffer.Buffer.buffer(TestImages.alphaMaskPng(2, 2, 6, 5)),
        "image/png");
    f.attribute("prompt", "a red circle");
    f.attribute("steps", String.valueOf(STEPS));
    io.vertx.ext.web.client.WebClient web = io.vertx.ext.web.client.WebClient.wrap(http);
    web.post(client.port(), ServiceClient.HOST, "/v1/images/edits").sendMultipartForm(f);
    await(
        client.poll(
            "the synchronous edit to run",
            () -> client.metric("instgenie_step_seconds_count"),
            n -> n > stepsBefore + 2));
    await(http.close());
    await(
        client.poll(
            "the job table to empty",
            () -> client.metric("instgenie_jobs_unfinished"),
            n -> n == 0.0));
    double ran = await(client.metric("instgenie_step_seconds_count")) - stepsBefore;
    assertTrue(ran < STEPS, "the edit left after " + ran + " of its " + STEPS + " steps");
  }
}
