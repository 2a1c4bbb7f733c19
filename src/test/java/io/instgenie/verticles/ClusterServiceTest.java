package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.TemplateKey;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.cluster.ClusterSupport;
import io.instgenie.verticles.messages.Addresses;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three clustered nodes in one JVM on 127.0.0.1 under a random cluster name, round-robin routing
 * (so where an edit runs is known): cross-node reads, the remote cache tier, and a node leaving.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterServiceTest {
  private static final List<ClusterSupport.Node> NODES = new ArrayList<>();
  private static final List<ServiceClient> CLIENTS = new ArrayList<>();

  /** Short edits of homeLeaves: submission index by id. */
  private final Map<String, Integer> shortIndex = new HashMap<>();

  @BeforeAll
  static void startCluster() throws Exception {
    String name = "instgenie-test-" + UUID.randomUUID();
    List<Integer> ports = List.of(TestPorts.free(), TestPorts.free(), TestPorts.free());
    Map<String, String> keys = new HashMap<>();
    keys.put("host", ServiceClient.HOST);
    keys.put("port", "0");
    keys.put("workers", "1");
    keys.put("max_batch", "4");
    keys.put("max_steps", String.valueOf(ServiceClient.LONG_EDIT_STEPS));
    keys.put("routing", "round-robin");
    keys.put("cache_memory_bytes", String.valueOf(64L << 20));
    keys.put("cluster", "on");
    // a peer's copy always beats a template run, whatever this machine's noisy compute fit says
    keys.put("remote_round_trip_ms", "0");
    keys.put("remote_fetch_mib_per_s", "1000000");
    ServiceConfig config = ConfigLoader.load(null, Map.of(), keys);
    for (int p : ports) {
      ClusterSupport.Node node =
          ClusterSupport.start(ClusterSupport.loopback(name, p, ports), ServiceClient.HOST)
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      InstGenieService s =
          InstGenieService.start(node.vertx(), config, TestImages.model(), node.manager())
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      NODES.add(node);
      CLIENTS.add(ServiceClient.of(node.vertx(), s));
    }
    // every node's balancer must know every worker before routing round-robin over three
    for (ServiceClient c : CLIENTS) {
      c.poll(
              "the node to be ready",
              () -> Future.succeededFuture(c.service.ready()),
              ready -> ready)
          .toCompletionStage()
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    }
    Thread.sleep(1500); // two worker reports (500 ms apart) reach every balancer
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (ClusterSupport.Node n : NODES) {
      n.vertx().close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
  @DisplayName(
      "Edits submitted on node A run on every node the balancer picks, and node B serves their progress, status and image")
  void submittedOnAReadOnB(Vertx vertx, VertxTestContext ctx) {
    ServiceClient a = CLIENTS.get(0);
    ServiceClient b = CLIENTS.get(1);
    RgbImage template = TestImages.template(901);
    List<Future<String>> runners = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RgbImage mask = TestImages.rectMask(i, 1, 4, 4);
      runners.add(
          a.postJson("/v1/edits", ServiceClient.editJson(template, mask, "a red circle", 4, 7L + i))
              .compose(
                  r -> {
                    ctx.verify(() -> assertEquals(202, r.statusCode(), r.bodyAsString()));
                    String id = r.bodyAsJsonObject().getString("id");
                    return b.sse(id)
                        .compose(EventStream::end)
                        .compose(
                            events -> {
                              ctx.verify(() -> Lifecycle.assertCompleted(events, id, 4));
                              return b.awaitFinished(id);
                            })
                        .compose(
                            status -> {
                              ctx.verify(
                                  () -> assertEquals("completed", status.getString("status")));
                              return b.get("/v1/edits/" + id + "/image");
                            })
                        .compose(
                            png -> {
                              ctx.verify(
                                  () ->
                                      TestImages.assertUnmaskedIdentical(
                                          template,
                                          TestImages.editPixels(mask),
                                          png.body().getBytes()));
                              return b.get("/v1/edits/" + id);
                            })
                        .map(st -> st.bodyAsJsonObject().getString("node"));
                  }));
    }
    Future.all(runners)
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          Set<String> nodes = new HashSet<>();
                          for (int i = 0; i < 3; i++) nodes.add(all.resultAt(i));
                          Set<String> ids = new HashSet<>();
                          for (ServiceClient c : CLIENTS) ids.add(c.service.nodeId());
                          assertEquals(ids, nodes, "round-robin puts one edit on each node");
                          ctx.completeNow();
                        })));
  }

  @Test
  @Order(2)
  @Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
  @DisplayName(
      "A template cached on node A is streamed to node C from A's cache instead of being recomputed")
  void templateFetchedFromPeer(Vertx vertx, VertxTestContext ctx) {
    ServiceClient a = CLIENTS.get(0);
    ServiceClient c = CLIENTS.get(2);
    RgbImage template = TestImages.template(902);
    RgbImage mask = TestImages.rectMask(2, 2, 4, 4);
    JsonObject edit = ServiceClient.editJson(template, mask, "a red circle", 4, 11L);
    // A's balancer is back at its own worker (three edits so far, three workers)
    a.postJson("/v1/edits", edit)
        .compose(r -> a.awaitFinished(r.bodyAsJsonObject().getString("id")))
        .compose(
            s -> {
              String templateId = s.getString("template_id");
              TemplateKey key = new TemplateKey(templateId, 4);
              return c.poll(
                      "node C's directory to list A's copy",
                      () ->
                          Future.succeededFuture(
                              c.service.templateDirectory().peers(key).stream()
                                  .anyMatch(h -> h.node().equals(a.service.nodeId()))),
                      held -> held)
                  .map(templateId);
            })
        // C's balancer routes its first edit to its own worker
        .compose(templateId -> c.postJson("/v1/edits", edit))
        .compose(
            r -> {
              String id = r.bodyAsJsonObject().getString("id");
              return c.sse(id)
                  .compose(EventStream::end)
                  .compose(
                      events ->
                          c.get("/v1/edits/" + id + "/image")
                              .map(
                                  png -> {
                                    ctx.verify(
                                        () -> {
                                          Lifecycle.assertCompleted(events, id, 4);
                                          assertEquals(
                                              0,
                                              Lifecycle.count(events, "template"),
                                              "no template run on C: " + events);
                                          assertEquals(
                                              c.service.nodeId(),
                                              events.stream()
                                                  .filter(
                                                      e -> "started".equals(e.getString("type")))
                                                  .findFirst()
                                                  .orElseThrow()
                                                  .getString("node"),
                                              "the edit ran on C");
                                          TestImages.assertUnmaskedIdentical(
                                              template,
                                              TestImages.editPixels(mask),
                                              png.body().getBytes());
                                          // C opened A's copy instead of running the template
                                          // (whether each block then reads it or recomputes is
                                          // Algorithm 1's call on C's own compute fit, which is
                                          // flat on this tiny model: not asserted here)
                                          var stats = c.service.caches().get(0).stats();
                                          assertTrue(
                                              stats.tier(TierKind.REMOTE).hits() >= 1,
                                              "C read A's copy: " + stats);
                                        });
                                    return null;
                                  }));
            })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @Order(3)
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName(
      "When a node with running edits stops, every edit completes on the others, once, and those it ran were requeued")
  void nodeLeaves(Vertx vertx, VertxTestContext ctx) {
    ServiceClient a = CLIENTS.get(0);
    ServiceClient b = CLIENTS.get(1);
    String cId = CLIENTS.get(2).service.nodeId();
    RgbImage template = TestImages.template(903);
    // long enough that C cannot finish an edit while its Vert.x closes (tiny-model steps take ~1
    // ms)
    int steps = 300;
    List<Future<String>> submitted = submit(a, template, 1, "a red circle", steps, 100L, 6);
    Set<String> onC = new HashSet<>();
    List<String> ids = new ArrayList<>();
    Future.all(submitted)
        .compose(
            all -> {
              for (Object id : all.list()) ids.add((String) id);
              return a.poll(
                  "an edit to be running on node C",
                  () -> runningOn(a, ids, cId),
                  running -> {
                    onC.addAll(running);
                    return !running.isEmpty();
                  });
            })
        .compose(running -> NODES.get(2).vertx().close())
        .compose(v -> histories(b, ids))
        .onComplete(
            ctx.succeeding(
                all ->
                    ctx.verify(
                        () -> {
                          assertEachCompletedOnce(ids, all, onC);
                          ctx.completeNow();
                        })));
  }

  @Test
  @Order(4)
  @Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
  @DisplayName(
      "When the home of running edits stops, the survivor completes them all, once: those it ran or ended unheard (home gone) and those the home ran itself (home and runner gone)")
  void homeLeaves(Vertx vertx, VertxTestContext ctx) {
    // C left in the previous test: A and B remain, B is the home of these edits
    ServiceClient a = CLIENTS.get(0);
    ServiceClient b = CLIENTS.get(1);
    String aId = a.service.nodeId();
    String bId = b.service.nodeId();
    RgbImage template = TestImages.template(904);
    int steps = 600;
    List<Future<String>> submitted = submit(b, template, 2, "a blue square", steps, 200L, 4);
    Set<String> onA = new HashSet<>();
    Set<String> onB = new HashSet<>();
    List<String> ids = new ArrayList<>();
    List<String> ended = new ArrayList<>(); // short edits that ended on A unheard by B
    List<String> every = new ArrayList<>();
    Future.all(submitted)
        .compose(
            all -> {
              for (Object id : all.list()) ids.add((String) id);
              // round-robin over A's and B's workers: wait until each runs one of them
              return a.poll(
                  "edits to be running on both nodes",
                  () ->
                      runningOn(a, ids, aId)
                          .compose(
                              ra ->
                                  runningOn(a, ids, bId)
                                      .map(
                                          rb -> {
                                            onA.clear();
                                            onA.addAll(ra);
                                            onB.clear();
                                            onB.addAll(rb);
                                            return !ra.isEmpty() && !rb.isEmpty();
                                          })),
                  both -> both);
            })
        .compose(both -> endOnAUnheard(a, b, aId, template, ended))
        .compose(endedOnA -> NODES.get(1).vertx().close())
        .compose(
            v -> {
              every.addAll(ids);
              every.addAll(ended);
              return histories(a, every);
            })
        .compose(
            all -> {
              ctx.verify(
                  () -> {
                    assertEachCompletedOnce(every, all, onB);
                    // the edits A ran for B are adopted, not requeued: those running carry on,
                    // those that ended there unheard by B end once, with what A had sent
                    for (int i = 0; i < every.size(); i++) {
                      String id = every.get(i);
                      if (!onA.contains(id) && !ended.contains(id)) continue;
                      List<JsonObject> events = all.resultAt(i);
                      assertEquals(0, Lifecycle.count(events, "requeued"), "adopted: " + events);
                    }
                  });
              List<Future<HttpResponse<Buffer>>> images = new ArrayList<>();
              for (String id : every) images.add(a.get("/v1/edits/" + id + "/image"));
              return Future.all(images);
            })
        .onComplete(
            ctx.succeeding(
                images ->
                    ctx.verify(
                        () -> {
                          for (int i = 0; i < images.size(); i++) {
                            HttpResponse<Buffer> r = images.resultAt(i);
                            assertEquals(200, r.statusCode(), every.get(i) + " image from A");
                            // long edits mask row 2, the short ones row 0, in submission order
                            int row = i < ids.size() ? 2 : 0;
                            int at = i < ids.size() ? i : shortIndex.get(every.get(i));
                            TestImages.assertUnmaskedIdentical(
                                template,
                                TestImages.editPixels(TestImages.rectMask(at % 4, row, 3, 4)),
                                r.body().getBytes());
                          }
                          ctx.completeNow();
                        })));
  }

  /**
   * Makes edits end on A unheard by their home B: A's results to B are dropped from now on, and
   * four short edits are posted to B; answers once each has ended, those that ran on A (at least
   * one) in {@code endedOnA}, with their submission index in {@code shortIndex}.
   */
  private Future<Set<String>> endOnAUnheard(
      ServiceClient a, ServiceClient b, String aId, RgbImage template, List<String> endedOnA) {
    String toB = Addresses.node(b.service.nodeId(), "result");
    NODES
        .get(0)
        .vertx()
        .eventBus()
        .addOutboundInterceptor(
            dc -> {
              if (!dc.message().address().equals(toB)) dc.next();
            });
    List<String> shortIds = new ArrayList<>();
    return Future.all(submit(b, template, 0, "a red circle", 3, 300L, 4))
        .compose(
            all -> {
              for (Object id : all.list()) shortIds.add((String) id);
              for (int i = 0; i < shortIds.size(); i++) shortIndex.put(shortIds.get(i), i);
              return b.poll(
                  "short edits to end on B, or on A unheard",
                  () -> endedOn(b, shortIds, aId),
                  onA -> onA != null);
            })
        .map(
            onA -> {
              assertTrue(!onA.isEmpty(), "round-robin puts a short edit on A");
              endedOnA.addAll(onA);
              return onA;
            });
  }

  /**
   * Null until every edit in {@code ids} has completed or, as B sees it, run all its steps on
   * {@code node} without completing; then the latter.
   */
  private static Future<Set<String>> endedOn(ServiceClient b, List<String> ids, String node) {
    return statuses(b, ids)
        .map(
            all -> {
              Set<String> unheard = new HashSet<>();
              for (JsonObject s : all) {
                if ("completed".equals(s.getString("status"))) continue;
                boolean allSteps =
                    node.equals(s.getString("node"))
                        && s.getInteger("step", 0).equals(s.getInteger("steps"));
                if (!allSteps) return null;
                unheard.add(s.getString("id"));
              }
              return unheard;
            });
  }

  /**
   * Posts {@code n} edits of {@code template} to {@code via}: edit i masks the 3×4-patch rectangle
   * at column i % 4, row {@code row}, with seed {@code seed0 + i}; answers their ids.
   */
  private static List<Future<String>> submit(
      ServiceClient via, RgbImage template, int row, String prompt, int steps, long seed0, int n) {
    List<Future<String>> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RgbImage mask = TestImages.rectMask(i % 4, row, 3, 4);
      ids.add(
          via.postJson(
                  "/v1/edits", ServiceClient.editJson(template, mask, prompt, steps, seed0 + i))
              .map(r -> r.bodyAsJsonObject().getString("id")));
    }
    return ids;
  }

  /** Each edit's whole event history, read from {@code via} once the edit has finished. */
  private static Future<CompositeFuture> histories(ServiceClient via, List<String> ids) {
    List<Future<List<JsonObject>>> all = new ArrayList<>();
    for (String id : ids)
      all.add(via.awaitFinished(id).compose(st -> via.sse(id)).compose(EventStream::end));
    return Future.all(all);
  }

  /**
   * Each edit's event history (in {@code histories}, in the order of {@code ids}) ends in its one
   * {@code completed}; those in {@code rerun} were requeued and then started again.
   */
  private static void assertEachCompletedOnce(
      List<String> ids, CompositeFuture histories, Set<String> rerun) {
    for (int i = 0; i < ids.size(); i++) {
      List<JsonObject> events = histories.resultAt(i);
      String id = ids.get(i);
      assertEquals("completed", Lifecycle.last(events).getString("type"), id + ": " + events);
      assertEquals(1, Lifecycle.count(events, "completed"), "one completion: " + events);
      if (rerun.contains(id)) {
        List<String> types = new ArrayList<>();
        for (JsonObject e : events) types.add(e.getString("type"));
        int requeued = types.indexOf("requeued");
        assertTrue(requeued >= 0, "requeued: " + types);
        assertTrue(
            types.subList(requeued, types.size()).contains("started"),
            "started again after requeued: " + types);
      }
    }
  }

  /** Edits whose latest start was on {@code node} and that are still early in their steps. */
  private static Future<Set<String>> runningOn(ServiceClient a, List<String> ids, String node) {
    return statuses(a, ids)
        .map(
            all -> {
              Set<String> out = new HashSet<>();
              for (JsonObject s : all) {
                if ("running".equals(s.getString("status"))
                    && node.equals(s.getString("node"))
                    && s.getInteger("step") < s.getInteger("steps") / 2) out.add(s.getString("id"));
              }
              return out;
            });
  }

  /** The status of each edit in {@code ids}, in order, as {@code via} answers it. */
  private static Future<List<JsonObject>> statuses(ServiceClient via, List<String> ids) {
    List<Future<JsonObject>> all = new ArrayList<>();
    for (String id : ids) all.add(via.get("/v1/edits/" + id).map(r -> r.bodyAsJsonObject()));
    return Future.all(all).map(f -> f.<JsonObject>list());
  }
}
