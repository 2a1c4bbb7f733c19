package io.instgenie.verticles;

import static io.instgenie.verticles.SpanTrees.assertChild;
import static io.instgenie.verticles.SpanTrees.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.cluster.ClusterSupport;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes in one JVM (127.0.0.1, a random cluster name), round-robin routing, each node
 * with its own in-memory exporter: an edit submitted on A that runs on B has its request spans on A
 * and its worker spans on B, in one trace, B's spans children of A's request span.
 */
class ClusterTracingTest {
  private static final List<ClusterSupport.Node> NODES = new ArrayList<>();
  private static final List<InstGenieService> SERVICES = new ArrayList<>();
  private static final List<SpanTrees> SPANS = List.of(new SpanTrees(), new SpanTrees());

  @BeforeAll
  static void startCluster() throws Exception {
    String name = "instgenie-test-" + UUID.randomUUID();
    List<Integer> ports = List.of(TestPorts.free(), TestPorts.free());
    Map<String, String> keys = new HashMap<>();
    keys.put("host", ServiceClient.HOST);
    keys.put("port", "0");
    keys.put("workers", "1");
    keys.put("routing", "round-robin");
    keys.put("cache_memory_bytes", String.valueOf(64L << 20));
    keys.put("cluster", "on");
    ServiceConfig config = ConfigLoader.load(null, Map.of(), keys);
    for (int i = 0; i < 2; i++) {
      ClusterSupport.Node node =
          ClusterSupport.start(
                  ClusterSupport.loopback(name, ports.get(i), ports), ServiceClient.HOST)
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      NODES.add(node);
      SERVICES.add(
          InstGenieService.start(
                  node.vertx(), config, TestImages.model(), node.manager(), SPANS.get(i).tracing)
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS));
    }
    for (InstGenieService s : SERVICES) {
      for (int poll = 0; poll < 3000 && !s.ready(); poll++) Thread.sleep(20);
      assertTrue(s.ready(), "node " + s.nodeId() + " ready within 3000 polls");
    }
    Thread.sleep(1500); // two worker reports (500 ms apart) reach every balancer
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (ClusterSupport.Node n : NODES)
      n.vertx().close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "An edit submitted on node A that runs on node B: one trace, B's queue, denoise and post-process spans children of A's request span")
  void editOnAnotherNode() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    int portA = SERVICES.get(0).port();
    String nodeB = SERVICES.get(1).nodeId();
    List<String> traces =
        List.of("11111111111111111111111111111111", "22222222222222222222222222222222");
    String onB = null;
    for (int i = 0; i < 2; i++) {
      String id = TracingTest.submit(http, portA, traces.get(i), "00f067aa0ba902b7", 831 + i);
      if (nodeB.equals(awaitNode(http, portA, id))) onB = traces.get(i);
    }
    assertTrue(onB != null, "round-robin ran one of the two edits on node B");
    List<SpanData> onNodeB = TracingTest.awaitPostProcess(SPANS.get(1), onB);
    List<SpanData> onNodeA = SPANS.get(0).trace(onB);
    SpanData request = named(onNodeA, "POST /v1/edits");
    assertChild(request, named(onNodeA, "admission"));
    assertChild(request, named(onNodeB, "queue"));
    SpanData denoise = named(onNodeB, "denoise");
    assertChild(request, denoise);
    assertChild(denoise, named(onNodeB, "template run"));
    assertChild(request, named(onNodeB, "post-process"));
    assertEquals(4, onNodeB.size(), "node B's spans of the edit: " + SpanTrees.names(onNodeB));
    assertEquals(2, onNodeA.size(), "node A's spans of the edit: " + SpanTrees.names(onNodeA));
  }

  /** Polls A (20 ms apart, at most 1000 times) until the edit completed; answers its node. */
  private static String awaitNode(HttpClient http, int port, String id) throws Exception {
    JsonObject s = new JsonObject();
    for (int i = 0; i < 1000 && !"completed".equals(s.getString("status")); i++) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/edits/" + id))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      s = new JsonObject(r.body());
      if (!"completed".equals(s.getString("status"))) Thread.sleep(20);
    }
    assertEquals("completed", s.getString("status"), "edit " + id + ": " + s);
    return s.getString("node");
  }
}
