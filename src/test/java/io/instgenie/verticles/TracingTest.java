package io.instgenie.verticles;

import static io.instgenie.verticles.SpanTrees.assertChild;
import static io.instgenie.verticles.SpanTrees.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One edit's span tree, captured by the SDK's in-memory exporter. */
class TracingTest {
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_SPAN = "00f067aa0ba902b7";

  private static Vertx vertx;
  private static InstGenieService service;
  private static final SpanTrees SPANS = new SpanTrees();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    service =
        InstGenieService.start(
                vertx, ServiceClient.config(), TestImages.model(), null, SPANS.tracing)
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Submits an edit of a fresh template with a traceparent; answers its id. */
  static String submit(HttpClient http, int port, String traceId, String clientSpan, long seed)
      throws Exception {
    String body =
        new JsonObject()
            .put("image", TestImages.base64(TestImages.template(seed)))
            .put("mask", TestImages.base64(TestImages.rectMask(2, 2, 6, 6)))
            .put("prompt", "a red circle")
            .put("steps", 3)
            .encode();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/edits"))
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-" + clientSpan + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
    return new JsonObject(r.body()).getString("id");
  }

  /** Polls (20 ms apart, at most 1000 times) until the trace has a post-process span. */
  static List<SpanData> awaitPostProcess(SpanTrees spans, String traceId) throws Exception {
    for (int i = 0; i < 1000; i++) {
      List<SpanData> t = spans.trace(traceId);
      if (t.stream().anyMatch(s -> s.getName().equals("post-process"))) return t;
      Thread.sleep(20);
    }
    throw new AssertionError("no post-process span in " + SpanTrees.names(spans.trace(traceId)));
  }

  @Test
  @DisplayName(
      "An edit's spans form one tree under the client's traceparent: request, admission, queue, denoise (a step event per step, the template run inside), post-process")
  void oneEditsSpanTree() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    submit(http, service.port(), TRACE_ID, CLIENT_SPAN, 811);
    List<SpanData> spans = awaitPostProcess(SPANS, TRACE_ID);
    SpanData request = named(spans, "POST /v1/edits");
    assertEquals(SpanKind.SERVER, request.getKind());
    assertEquals(CLIENT_SPAN, request.getParentSpanId(), "the request continues the client's");
    assertChild(request, named(spans, "admission"));
    assertChild(request, named(spans, "queue"));
    SpanData denoise = named(spans, "denoise");
    assertChild(request, denoise);
    assertChild(denoise, named(spans, "template run"));
    assertChild(request, named(spans, "post-process"));
    List<Long> steps =
        denoise.getEvents().stream()
            .filter(e -> e.getName().equals("step"))
            .map(EventData::getAttributes)
            .map(a -> a.get(AttributeKey.longKey("instgenie.step")))
            .toList();
    assertEquals(List.of(1L, 2L, 3L), steps, "one step event per denoising step, in order");
    assertEquals(6, spans.size(), "no other span: " + SpanTrees.names(spans));
    assertTrue(
        named(spans, "queue").getEndEpochNanos() <= denoise.getStartEpochNanos() + 1_000_000,
        "the queue ends before denoising starts (ms resolution)");
  }
}
