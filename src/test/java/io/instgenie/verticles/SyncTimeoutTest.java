package io.instgenie.verticles;

import static io.instgenie.verticles.FaultInjectionTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** POST /v1/images/edits past {@code sync_timeout_ms}: a clear 503, and its edit cancelled. */
class SyncTimeoutTest {
  private static Vertx vertx;
  private static ServiceClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    // the slow reference backend, one member per step, and the shortest sync timeout
    client =
        await(
            ServiceClient.start(
                vertx,
                ServiceClient.config(
                    Map.of("max_batch", "1", "backend", "reference", "sync_timeout_ms", "1000"))));
    FaultInjectionTest.awaitReady(client);
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  @DisplayName(
      "an edit that outlives sync_timeout_ms is answered 503 with Retry-After, naming the setting"
          + " and saying the edit was cancelled; the edit ends cancelled, nothing is left running")
  void syncTimeoutAnswers503AndCancels() throws Exception {
    MultipartForm f = MultipartForm.create();
    f.binaryFileUpload(
        "image", "t.png", TestImages.png(FaultInjectionTest.newTemplate()), "image/png");
    f.binaryFileUpload(
        "mask", "m.png", Buffer.buffer(TestImages.alphaMaskPng(2, 2, 6, 5)), "image/png");
    f.attribute("prompt", "a red circle");
    f.attribute("steps", String.valueOf(ServiceClient.LONG_EDIT_STEPS));
    HttpResponse<Buffer> r = await(client.postForm("/v1/images/edits", f));
    ErrorReplies.assertError(r, 503, "sync_timeout_ms (1000 ms)");
    assertNotNull(r.getHeader("Retry-After"), "a 503 carries Retry-After");
    String error = r.bodyAsJsonObject().getString("error");
    assertTrue(error.contains("cancelled"), "says the edit was cancelled: " + error);
    Matcher m = Pattern.compile("edit (\\S+) did not finish").matcher(error);
    assertTrue(m.find(), "names the edit: " + error);
    JsonObject end = await(client.awaitFinished(m.group(1)));
    assertEquals("cancelled", end.getString("status"), end.encode());
    await(
        client.poll(
            "the job table to empty",
            () -> client.metric("instgenie_jobs_unfinished"),
            n -> n == 0.0));
  }
}
