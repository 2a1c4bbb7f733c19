package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.cluster.ClusterSupport;
import io.instgenie.verticles.faults.Faults;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job table's watchdog in a cluster: an edit whose worker on another node stops reporting (its
 * step hangs) for {@code stall_ms} is re-admitted on the node that still runs, where it completes
 * once; what the stalled worker says of it afterwards is dropped.
 */
class ClusterWatchdogTest {
  private static final int STEPS = 20;
  private final List<ClusterSupport.Node> nodes = new ArrayList<>();
  private final CountDownLatch unstall = new CountDownLatch(1);

  @AfterEach
  void stop() throws Exception {
    unstall.countDown();
    for (ClusterSupport.Node n : nodes) await(n.vertx().close());
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName(
      "An edit whose worker on another node hangs is re-admitted on the live node after stall_ms"
          + " and completes there once; the hung worker's late failure is dropped")
  void stalledWorkerElsewhere() throws Exception {
    String name = "instgenie-test-" + UUID.randomUUID();
    List<Integer> ports = List.of(TestPorts.free(), TestPorts.free());
    Map<String, String> keys = new HashMap<>();
    keys.put("host", ServiceClient.HOST);
    keys.put("port", "0");
    keys.put("workers", "1");
    keys.put("max_batch", "4");
    keys.put("routing", "round-robin");
    keys.put("cache", "off");
    keys.put("cluster", "on");
    keys.put("stall_ms", "3000");
    ServiceConfig config = ConfigLoader.load(null, Map.of(), keys);
    Faults faultsA = Faults.armable();
    List<ServiceClient> clients = new ArrayList<>();
    List<InstGenieService> services = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      ClusterSupport.Node node =
          await(
              ClusterSupport.start(
                  ClusterSupport.loopback(name, ports.get(k), ports), "127.0.0.1"));
      nodes.add(node);
      InstGenieService s =
          await(
              InstGenieService.start(
                  node.vertx(),
                  config,
                  TestImages.model(),
                  node.manager(),
                  k == 0 ? faultsA : Faults.NONE,
                  null));
      services.add(s);
      clients.add(ServiceClient.of(node.vertx(), s));
    }
    for (ServiceClient c : clients)
      await(c.poll("ready", () -> Future.succeededFuture(c.service.ready()), r -> r));
    ServiceClient b = clients.get(1);
    String aId = services.get(0).nodeId();
    String bId = services.get(1).nodeId();
    // B's balancer must know A's worker: short edits posted to B until one ran on A
    awaitRanOn(b, aId);

    // A's next step hangs until released, then throws (its batch fails)
    faultsA.arm(
        Faults.Point.STEP,
        1,
        p -> {
          try {
            unstall.await(240, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new Faults.InjectedError(p);
        });
    RgbImage template = TestImages.template(931);
    List<String> ids = new ArrayList<>();
    // round-robin over the two workers: one of the two runs on A and hangs in its first step (a
    // second one there would wait in the hung loop's inbox, queued: see the README)
    for (int i = 0; i < 2; i++) ids.add(post(b, template, i));
    List<List<JsonObject>> histories = new ArrayList<>();
    for (String id : ids) {
      await(b.awaitFinished(id));
      histories.add(await(await(b.sse(id)).end()));
    }
    int readmitted = 0;
    for (int i = 0; i < ids.size(); i++) {
      List<JsonObject> events = histories.get(i);
      assertEquals("completed", Lifecycle.last(events).getString("type"), ids.get(i) + events);
      assertEquals(1, Lifecycle.count(events, "completed"), "one completion: " + events);
      for (JsonObject e : events) {
        if (!"requeued".equals(e.getString("type"))) continue;
        assertEquals(aId, e.getString("from"), "re-admitted from the hung node: " + events);
        readmitted++;
      }
    }
    assertTrue(readmitted >= 1, "round-robin put an edit on A's hung worker; none re-admitted");

    // A's step fails now: its failure of those edits reaches B after what A said before, and
    // before anything A says of a later edit
    unstall.countDown();
    awaitRanOn(b, aId);
    for (String id : ids) {
      List<JsonObject> events = await(await(b.sse(id)).end());
      assertEquals("completed", Lifecycle.last(events).getString("type"), id + ": " + events);
      assertEquals(0, Lifecycle.count(events, "failed"), "the hung worker's failure dropped");
      JsonObject status = await(b.get("/v1/edits/" + id)).bodyAsJsonObject();
      assertEquals("completed", status.getString("status"), status.encode());
    }
    assertTrue(!bId.equals(aId));
  }

  /** Posts short edits to {@code via} until one completes on {@code node}. */
  private static void awaitRanOn(ServiceClient via, String node) throws Exception {
    for (int i = 0; i < 20; i++) {
      String id = post(via, TestImages.template(930), 100 + i);
      JsonObject s = await(via.awaitFinished(id));
      if (node.equals(s.getString("node")) && "completed".equals(s.getString("status"))) return;
    }
    throw new AssertionError("no edit posted ran on " + node);
  }

  private static String post(ServiceClient via, RgbImage template, int i) throws Exception {
    RgbImage mask = TestImages.rectMask(i % 4, 1, 3, 4);
    return await(
            via.postJson(
                "/v1/edits",
                ServiceClient.editJson(template, mask, "a red circle", STEPS, 50L + i)))
        .bodyAsJsonObject()
        .getString("id");
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
