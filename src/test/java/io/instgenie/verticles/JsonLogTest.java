package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instgenie.verticles.observe.LogFormat;
import io.instgenie.verticles.observe.LogSetup;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** log_format=json: one JSON object per line, with the edit's ids on the lines about it. */
class JsonLogTest {
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  @AfterEach
  void restore() {
    LogSetup.apply(LogFormat.TEXT);
  }

  @Test
  @DisplayName(
      "Every line about an edit is JSON with its edit_id, tenant '-' and the request's trace_id")
  void editLinesCarryIds() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LogSetup.apply(LogFormat.JSON, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    Vertx vertx = Vertx.vertx();
    String id;
    try {
      InstGenieService service =
          InstGenieService.start(vertx, ServiceClient.config(), TestImages.model())
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      id =
          TracingTest.submit(
              HttpClient.newHttpClient(), service.port(), TRACE_ID, "b7ad6b7169203331", 821);
      awaitLine(bytes, id, "denoised; on to post-processing");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    List<JsonNode> about = new ArrayList<>();
    for (JsonNode line : lines(bytes))
      if (id.equals(line.path("edit_id").asText())) about.add(line);
    List<String> messages = about.stream().map(l -> l.path("message").asText()).toList();
    // admission logs after its reply, so its line may come after the worker's first
    assertEquals(3, messages.size(), "accepted, started, denoised: " + messages);
    assertEquals(
        1,
        messages.stream().filter(m -> m.startsWith("edit accepted: template ")).count(),
        "admission's line: " + messages);
    assertEquals(
        List.of("started", "denoised; on to post-processing"),
        messages.stream().filter(m -> !m.startsWith("edit accepted")).toList(),
        "the worker's lines, in order");
    for (JsonNode l : about) {
      assertEquals(TRACE_ID, l.path("trace_id").asText(), "trace_id on " + l);
      assertEquals("-", l.path("tenant").asText(), "tenant on " + l);
      assertEquals("INFO", l.path("level").asText(), "level on " + l);
    }
  }

  /** Every line of the output, each parsed as JSON (a line that is not JSON fails the test). */
  private static List<JsonNode> lines(ByteArrayOutputStream bytes) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) continue;
      JsonNode n = json.readTree(line);
      assertTrue(n.has("@timestamp") && n.has("message"), "a log event: " + line);
      out.add(n);
    }
    return out;
  }

  /** Polls (20 ms apart, at most 1000 times) until the edit's line with that message appears. */
  private static void awaitLine(ByteArrayOutputStream bytes, String id, String message)
      throws Exception {
    for (int i = 0; i < 1000; i++) {
      for (JsonNode l : lines(bytes))
        if (id.equals(l.path("edit_id").asText()) && message.equals(l.path("message").asText()))
          return;
      Thread.sleep(20);
    }
    throw new AssertionError("no line '" + message + "' for " + id + ":\n" + bytes);
  }
}
