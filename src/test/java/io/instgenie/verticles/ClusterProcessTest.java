package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes as separate JVMs ({@code instgenie serve --cluster-config}), started from this test's
 * class path on 127.0.0.1 under a random cluster name with the tiny model written to a folder:
 * edits posted to node 1 run on both nodes and node 2 serves their progress, status and image.
 */
class ClusterProcessTest {
  private static final String HOST = "127.0.0.1";
  private static final int STEPS = 4;

  /** A JVM start, a Hazelcast join and the warm-up on a busy 2-core machine stay well below. */
  private static final Duration READY_WITHIN = Duration.ofSeconds(90);

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path dir;

  private static final List<Node> NODES = new ArrayList<>();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One child JVM: its HTTP port, the process, and the file its output goes to. */
  private record Node(int port, Process process, Path log) {
    URI uri(String path) {
      return URI.create("http://" + HOST + ":" + port + path);
    }

    /** The last lines the child printed, for failure messages. */
    String tail() {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
      } catch (IOException e) {
        return "(no output: " + e + ")";
      }
    }

    String describe() {
      return "node on :"
          + port
          + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")")
          + ", last output:\n"
          + tail();
    }
  }

  @BeforeAll
  static void startNodes() throws Exception {
    Path model = dir.resolve("model");
    ModelFiles.write(
        model, TestImages.TINY, ModelFiles.randomWeights(TestImages.TINY, 20240607L), DType.F32);
    String cluster = "instgenie-test-" + UUID.randomUUID();
    List<Integer> memberPorts = List.of(TestPorts.free(), TestPorts.free());
    String loopback = Files.readString(projectFile("cluster-config/loopback.xml"));
    try {
      for (int k = 0; k < memberPorts.size(); k++) {
        Path xml = dir.resolve("node-" + k + ".xml");
        Files.writeString(xml, clusterXml(loopback, cluster, memberPorts.get(k), memberPorts));
        NODES.add(start(k, xml, model, TestPorts.free()));
      }
      for (Node n : NODES) awaitReady(n);
    } catch (Throwable t) {
      stopNodes();
      throw t;
    }
  }

  @AfterAll
  static void stopNodes() throws InterruptedException {
    for (Node n : NODES) n.process().destroy(); // SIGTERM: the shutdown hook closes Vert.x
    for (Node n : NODES) {
      if (!n.process().waitFor(20, TimeUnit.SECONDS)) {
        n.process().destroyForcibly();
        n.process().waitFor(10, TimeUnit.SECONDS);
      }
    }
    NODES.clear();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName(
      "Edits posted to one node process run on both processes, and the other serves their progress, status and image")
  void editsAcrossProcesses() throws Exception {
    Node one = NODES.get(0);
    Node two = NODES.get(1);
    RgbImage template = TestImages.template(911);
    Set<String> ranOn = new LinkedHashSet<>();
    // round-robin alternates once node 1's balancer has heard node 2's worker (idle workers report
    // every 500 ms), so the first pair may both stay on node 1: a few rounds at most
    for (int round = 0; round < 5 && ranOn.size() < 2; round++) {
      for (int i = 0; i < 2; i++) {
        RgbImage mask = TestImages.rectMask(1 + i, 1 + round % 3, 5, 6);
        JsonObject body =
            ServiceClient.editJson(template, mask, "a red circle", STEPS, 31L * round + i);
        HttpResponse<String> posted = send(one, "POST", "/v1/edits", body.encode());
        assertEquals(202, posted.statusCode(), "POST on node 1: " + posted.body());
        String id = new JsonObject(posted.body()).getString("id");
        ranOn.add(readOnOtherNode(two, id, template, mask));
      }
    }
    assertEquals(
        2,
        ranOn.size(),
        "edits posted to node 1 ran on " + ranOn + " only; node 2: " + two.describe());
  }

  /** Progress, status and image of edit {@code id} from {@code node}; answers where it ran. */
  private static String readOnOtherNode(Node node, String id, RgbImage template, RgbImage mask)
      throws Exception {
    // the SSE stream ends after the terminal event
    HttpResponse<String> sse = send(node, "GET", "/v1/edits/" + id + "/events", null);
    assertEquals(200, sse.statusCode(), "events of " + id + " from node 2: " + sse.body());
    List<JsonObject> events = new ArrayList<>();
    for (String line : sse.body().split("\n"))
      if (line.startsWith("data: ")) events.add(new JsonObject(line.substring(6)));
    Lifecycle.assertCompleted(events, id, STEPS);

    HttpResponse<String> status = send(node, "GET", "/v1/edits/" + id, null);
    assertEquals(200, status.statusCode(), "status of " + id + " from node 2: " + status.body());
    JsonObject s = new JsonObject(status.body());
    assertEquals("completed", s.getString("status"), "status of " + id + ": " + s);
    String ranOn = s.getString("node");
    assertNotNull(ranOn, "a clustered status names the node that ran the edit: " + s);

    HttpResponse<byte[]> png =
        HTTP.send(
            HttpRequest.newBuilder(node.uri("/v1/edits/" + id + "/image"))
                .timeout(CALL_TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, png.statusCode(), "image of " + id + " from node 2");
    TestImages.assertUnmaskedIdentical(template, TestImages.editPixels(mask), png.body());
    return ranOn;
  }

  private static HttpResponse<String> send(Node node, String method, String path, String json)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(node.uri(path)).timeout(CALL_TIMEOUT);
    b =
        json == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json));
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e + "; " + node.describe(), e);
    }
  }

  /**
   * {@code instgenie serve} in a child JVM on this test's class path (under surefire a
   * manifest-only booter jar whose manifest lists the class path, which {@code -cp} follows), its
   * settings through the environment.
   */
  private static Node start(int k, Path clusterXml, Path model, int httpPort) throws IOException {
    Path log = dir.resolve("node-" + k + ".log");
    Process process =
        ServeProcess.start(
            dir,
            log,
            List.of(
                "--cluster-config",
                clusterXml.toString(),
                "--port",
                String.valueOf(httpPort),
                "--model",
                model.toString()),
            Map.of(
                "INSTGENIE_HOST",
                HOST,
                "INSTGENIE_WORKERS",
                "1",
                "INSTGENIE_MAX_BATCH",
                "4",
                "INSTGENIE_ROUTING",
                "round-robin",
                "INSTGENIE_CACHE_MEMORY_BYTES",
                String.valueOf(64L << 20)));
    return new Node(httpPort, process, log);
  }

  /** Polls {@code /health/ready} until 200, failing early when the child exits. */
  private static void awaitReady(Node node) throws Exception {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!node.process().isAlive())
        fail("the node exited before it was ready; " + node.describe());
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(node.uri("/health/ready"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return;
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString(); // not listening yet
      }
      Thread.sleep(200);
    }
    fail(
        "not ready within "
            + READY_WITHIN.toSeconds()
            + " s (last: "
            + last
            + "); "
            + node.describe());
  }

  /**
   * {@code cluster-config/loopback.xml} with the cluster name, this member's port (no
   * auto-increment) and the members replaced; fails when the file no longer has those elements.
   */
  static String clusterXml(String loopback, String cluster, int port, List<Integer> members) {
    StringBuilder tcp = new StringBuilder("<tcp-ip enabled=\"true\">\n");
    for (int p : members) tcp.append("        <member>" + HOST + ":" + p + "</member>\n");
    tcp.append("      </tcp-ip>");
    String xml = loopback;
    xml =
        replaceOnce(
            xml,
            "<cluster-name>[^<]*</cluster-name>",
            "<cluster-name>" + cluster + "</cluster-name>");
    xml =
        replaceOnce(
            xml, "<port [^>]*>\\d+</port>", "<port auto-increment=\"false\">" + port + "</port>");
    xml = replaceOnce(xml, "(?s)<tcp-ip enabled=\"true\">.*?</tcp-ip>", tcp.toString());
    return xml;
  }

  private static String replaceOnce(String text, String regex, String replacement) {
    String out = text.replaceFirst(regex, java.util.regex.Matcher.quoteReplacement(replacement));
    assertTrue(!out.equals(text), "cluster-config/loopback.xml has no match for " + regex);
    return out;
  }

  /** A file of the project, from the build's working folder or one of its parents. */
  private static Path projectFile(String relative) {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve(relative))) return p.resolve(relative);
    }
    throw new AssertionError(relative + " not found from " + Path.of("").toAbsolutePath());
  }
}
