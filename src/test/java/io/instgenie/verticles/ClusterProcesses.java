package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.io.RgbImage;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Clustered {@code instgenie serve} processes for the failover tests: the tiny model written to a
 * folder, every node on 127.0.0.1 under a random cluster name, each in its own JVM (so that one can
 * get SIGTERM or SIGKILL), and the HTTP calls the tests make to them.
 */
final class ClusterProcesses implements AutoCloseable {
  static final String HOST = "127.0.0.1";

  /** A JVM start, a Hazelcast join and the warm-up on a busy 2-core machine stay well below. */
  private static final Duration READY_WITHIN = Duration.ofSeconds(120);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One child JVM: its HTTP port, the process, and the file its output goes to. */
  record Node(String name, int port, Process process, Path log) {
    URI uri(String path) {
      return URI.create("http://" + HOST + ":" + port + path);
    }

    /** The last lines the child printed, for failure messages. */
    String describe() {
      String tail;
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
      } catch (IOException e) {
        tail = "(no output: " + e + ")";
      }
      return name
          + " on :"
          + port
          + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")")
          + ", last output:\n"
          + tail;
    }
  }

  final List<Node> nodes = new ArrayList<>();

  /** Starts {@code n} nodes with {@code settings} (on top of the tests' common ones), in order. */
  static ClusterProcesses start(Path dir, int n, Map<String, String> settings) throws Exception {
    Path model = dir.resolve("model");
    ModelFiles.write(
        model, TestImages.TINY, ModelFiles.randomWeights(TestImages.TINY, 20240607L), DType.F32);
    String cluster = "instgenie-test-" + UUID.randomUUID();
    List<Integer> memberPorts = new ArrayList<>();
    for (int k = 0; k < n; k++) memberPorts.add(TestPorts.free());
    String loopback = Files.readString(projectFile("cluster-config/loopback.xml"));
    ClusterProcesses c = new ClusterProcesses();
    try {
      for (int k = 0; k < n; k++) {
        Path xml = dir.resolve("node-" + k + ".xml");
        Files.writeString(
            xml, ClusterProcessTest.clusterXml(loopback, cluster, memberPorts.get(k), memberPorts));
        c.nodes.add(startNode(dir, k, xml, model, settings));
        // one at a time: the first is the oldest member
        c.awaitReady(c.nodes.get(k));
      }
    } catch (Throwable t) {
      c.close();
      throw t;
    }
    return c;
  }

  private static Node startNode(
      Path dir, int k, Path clusterXml, Path model, Map<String, String> settings)
      throws IOException {
    int port = TestPorts.free();
    Path log = dir.resolve("node-" + k + ".log");
    Map<String, String> env = new HashMap<>();
    env.put("INSTGENIE_HOST", HOST);
    env.put("INSTGENIE_WORKERS", "1");
    env.put("INSTGENIE_MAX_BATCH", "4");
    env.put("INSTGENIE_ROUTING", "round-robin");
    env.put("INSTGENIE_QUEUE_CAPACITY", "1000");
    env.put("INSTGENIE_CACHE_MEMORY_BYTES", String.valueOf(64L << 20));
    env.putAll(settings);
    Process p =
        ServeProcess.start(
            dir,
            log,
            List.of(
                "--cluster-config",
                clusterXml.toString(),
                "--port",
                String.valueOf(port),
                "--model",
                model.toString()),
            env);
    return new Node("node " + (char) ('A' + k), port, p, log);
  }

  /** Polls {@code /health/ready} until 200, failing early when the child exits. */
  void awaitReady(Node node) throws Exception {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!node.process().isAlive()) fail("exited before it was ready; " + node.describe());
      try {
        HttpResponse<String> r = get(node, "/health/ready");
        if (r.statusCode() == 200) return;
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString(); // not listening yet
      }
      Thread.sleep(200);
    }
    fail("not ready (last: " + last + "); " + node.describe());
  }

  /**
   * Posts short edits to {@code via} until one has run on each node: then every balancer knows
   * every worker (idle workers report every 500 ms).
   */
  void awaitEveryWorkerKnown(Node via) throws Exception {
    Map<String, String> ranOn = new HashMap<>(); // node id → last edit id
    for (int i = 0; i < 40 && ranOn.size() < nodes.size(); i++) {
      HttpResponse<String> r = post(via, edit(9100 + i, 4, i));
      assertTrue(r.statusCode() == 202, "warm-up edit: " + r.body());
      String id = new JsonObject(r.body()).getString("id");
      JsonObject s = awaitEnd(via, id, Duration.ofSeconds(60));
      ranOn.put(s.getString("node"), id);
    }
    assertTrue(ranOn.size() == nodes.size(), "warm-up edits ran on " + ranOn.keySet() + " only");
  }

  /** An edit of template {@code templateSeed}, with {@code steps} steps and seed {@code seed}. */
  static JsonObject edit(int templateSeed, int steps, long seed) {
    RgbImage template = TestImages.template(templateSeed % 3 + 9300);
    return ServiceClient.editJson(
        template, TestImages.rectMask(2, 2, 6, 5), "a red circle", steps, seed);
  }

  static HttpResponse<String> post(Node node, JsonObject body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(node.uri("/v1/edits"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(Node node, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(node.uri(path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<byte[]> image(Node node, String id) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(node.uri("/v1/edits/" + id + "/image"))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The edit's status once it has ended (polled); fails after {@code within}. */
  static JsonObject awaitEnd(Node node, String id, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = get(node, "/v1/edits/" + id);
      last = r.statusCode() + " " + r.body();
      if (r.statusCode() == 200) {
        JsonObject s = new JsonObject(r.body());
        String st = s.getString("status");
        if (!"queued".equals(st) && !"running".equals(st)) return s;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "edit " + id + " did not end (last: " + last + "); " + node.describe());
  }

  /** The types of the edit's events, as {@code node} replays them (the stream ends at the end). */
  static List<JsonObject> history(Node node, String id) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> r =
        HTTP.send(
            HttpRequest.newBuilder(node.uri("/v1/edits/" + id + "/events"))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertTrue(r.statusCode() == 200, "events of " + id + ": " + r.statusCode());
    return r.body()
        .filter(l -> l.startsWith("data: "))
        .map(l -> new JsonObject(l.substring(6)))
        .collect(Collectors.toList());
  }

  /** SIGTERM every node still running, then SIGKILL what has not exited. */
  @Override
  public void close() throws InterruptedException {
    for (Node n : nodes) n.process().destroy();
    for (Node n : nodes) {
      if (!n.process().waitFor(30, TimeUnit.SECONDS)) {
        n.process().destroyForcibly();
        n.process().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** A file of the project, from the build's working folder or one of its parents. */
  private static Path projectFile(String relative) {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve(relative))) return p.resolve(relative);
    }
    throw new AssertionError(relative + " not found from " + Path.of("").toAbsolutePath());
  }
}
