package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.model.ModelFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain of a real {@code instgenie serve} process: under a steady load it gets SIGTERM and
 * then two {@code POST /admin/drain} (idempotent); readiness and new edits turn 503 at once, every
 * edit it accepted completes (its followers get the final event), and the process exits 0.
 */
class DrainProcessTest {
  private static final String HOST = "127.0.0.1";
  private static final int STEPS = 300;
  private static final int LOAD = 8;
  private static final Duration READY_WITHIN = Duration.ofSeconds(90);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  @DisplayName(
      "SIGTERM and repeated POST /admin/drain under load: 503 with Retry-After for new edits and"
          + " readiness, every accepted edit completes, exit 0")
  void sigtermDrains() throws Exception {
    Path model = dir.resolve("model");
    ModelFiles.write(
        model, TestImages.TINY, ModelFiles.randomWeights(TestImages.TINY, 20240607L), DType.F32);
    int port = TestPorts.free();
    Path log = dir.resolve("serve.log");
    Process p = start(model, port, log);
    try {
      awaitReady(p, port, log);
      List<String> accepted = new ArrayList<>();
      List<CompletableFuture<List<String>>> streams = new ArrayList<>();
      for (int i = 0; i < LOAD; i++) accept(port, i, accepted, streams);
      p.destroy(); // SIGTERM
      // an operator's (or a proxy's) retried POST /admin/drain must not end what is left: only a
      // second SIGTERM does
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> d =
            HTTP.send(
                HttpRequest.newBuilder(uri(port, "/admin/drain"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, d.statusCode(), d.body());
      }
      // the load goes on: what is accepted before the drain starts must complete too
      HttpResponse<String> refused = null;
      for (int i = LOAD; i < LOAD + 200 && refused == null; i++) {
        HttpResponse<String> r = post(port, i);
        if (r.statusCode() == 202) follow(port, r, accepted, streams);
        else refused = r;
      }
      assertTrue(refused != null, "no edit was refused after SIGTERM; " + tail(log));
      assertEquals(503, refused.statusCode(), refused.body());
      assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "503 says when to retry");
      HttpResponse<String> ready = get(port, "/health/ready");
      assertEquals(503, ready.statusCode(), ready.body());
      assertEquals("DRAINING", new JsonObject(ready.body()).getString("status"));
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the node exits once drained; " + tail(log));
      assertEquals(0, p.exitValue(), "exit status; " + tail(log));
      for (int i = 0; i < accepted.size(); i++) {
        List<String> events = streams.get(i).get(30, TimeUnit.SECONDS);
        assertTrue(
            events.contains("event: completed"),
            "edit " + accepted.get(i) + " completed before the node left: " + events);
      }
    } finally {
      p.destroyForcibly();
    }
  }

  private static void accept(
      int port, int i, List<String> accepted, List<CompletableFuture<List<String>>> streams)
      throws Exception {
    HttpResponse<String> r = post(port, i);
    assertEquals(202, r.statusCode(), r.body());
    follow(port, r, accepted, streams);
  }

  /** Follows an accepted edit's events to their end (the stream closes after the terminal one). */
  private static void follow(
      int port,
      HttpResponse<String> r,
      List<String> accepted,
      List<CompletableFuture<List<String>>> streams) {
    String id = new JsonObject(r.body()).getString("id");
    accepted.add(id);
    streams.add(
        HTTP.sendAsync(
                HttpRequest.newBuilder(uri(port, "/v1/edits/" + id + "/events")).build(),
                HttpResponse.BodyHandlers.ofLines())
            .thenApply(
                res ->
                    res.body().filter(l -> l.startsWith("event: ")).collect(Collectors.toList())));
  }

  private static HttpResponse<String> post(int port, int i) throws Exception {
    JsonObject body =
        ServiceClient.editJson(
            TestImages.template(9000 + i % 3),
            TestImages.rectMask(2, 2, 6, 5),
            "a red circle",
            STEPS,
            (long) i);
    return HTTP.send(
        HttpRequest.newBuilder(uri(port, "/v1/edits"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(int port, String path) {
    return URI.create("http://" + HOST + ":" + port + path);
  }

  private Process start(Path model, int port, Path log) throws IOException {
    return ServeProcess.start(
        dir,
        log,
        List.of("--port", String.valueOf(port), "--model", model.toString()),
        Map.of(
            "INSTGENIE_HOST",
            HOST,
            "INSTGENIE_WORKERS",
            "1",
            "INSTGENIE_MAX_BATCH",
            "4",
            "INSTGENIE_MAX_STEPS",
            String.valueOf(STEPS),
            "INSTGENIE_QUEUE_CAPACITY",
            "1000",
            "INSTGENIE_CACHE_MEMORY_BYTES",
            String.valueOf(64L << 20)));
  }

  private static void awaitReady(Process p, int port, Path log) throws Exception {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) fail("serve exited before it was ready; " + tail(log));
      try {
        HttpResponse<String> r = get(port, "/health/ready");
        if (r.statusCode() == 200) return;
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString(); // not listening yet
      }
      Thread.sleep(200);
    }
    fail("not ready within " + READY_WITHIN.toSeconds() + " s (last: " + last + "); " + tail(log));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "last output:\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }
}
