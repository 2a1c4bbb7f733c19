package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.ClusterProcesses.Node;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain of one node of a two-process cluster: under a steady load node B gets SIGTERM; it
 * refuses new edits with 503 at once, hands its queued edits to node A unstarted, finishes those it
 * runs, and exits 0; node A completes every edit either node accepted, each exactly once.
 */
class ClusterDrainProcessTest {
  private static final int STEPS = 100;
  private static final int LOAD = 16;

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.NEVER)
  Path dir;

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  @DisplayName(
      "SIGTERM to one of two nodes under load: 503 with Retry-After there, its queued edits run on"
          + " the other, every accepted edit completes once, exit 0")
  void sigtermHandsQueuedEditsOver() throws Exception {
    try (ClusterProcesses c =
        ClusterProcesses.start(
            dir,
            2,
            Map.of(
                "INSTGENIE_MAX_STEPS",
                String.valueOf(STEPS),
                // running edits finish however slow this machine is today (no clock in the test)
                "INSTGENIE_DRAIN_TIMEOUT_MS",
                "3600000",
                // no template runs: beyond max_batch an edit waits in the queue unstarted (with the
                // cache on, the edits of a template being run have started: they wait for it)
                "INSTGENIE_CACHE",
                "off"))) {
      Node a = c.nodes.get(0);
      Node b = c.nodes.get(1);
      c.awaitEveryWorkerKnown(b);
      List<String> accepted = new ArrayList<>();
      // round-robin from B: half run on B's worker (4 at a time), the rest of those wait there
      for (int i = 0; i < LOAD; i++) accepted.add(accept(b, i));
      b.process().destroy(); // SIGTERM
      // the load goes on, on both nodes: B refuses once draining, A takes every edit
      HttpResponse<String> refused = null;
      for (int i = LOAD; i < LOAD + 200 && refused == null; i++) {
        HttpResponse<String> r = ClusterProcesses.post(b, ClusterProcesses.edit(i, STEPS, i));
        if (r.statusCode() == 202) accepted.add(new JsonObject(r.body()).getString("id"));
        else refused = r;
        accepted.add(accept(a, i));
      }
      assertTrue(refused != null, "no edit was refused after SIGTERM; " + b.describe());
      assertEquals(503, refused.statusCode(), refused.body());
      assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "503 says when to retry");
      for (int i = 0; i < 4; i++) accepted.add(accept(a, 1000 + i));

      assertTrue(
          b.process().waitFor(300, TimeUnit.SECONDS), "B exits once drained; " + b.describe());
      assertEquals(0, b.process().exitValue(), "exit status; " + b.describe());

      int handedOver = 0;
      for (String id : accepted) {
        JsonObject s = ClusterProcesses.awaitEnd(a, id, Duration.ofSeconds(180));
        assertEquals("completed", s.getString("status"), "edit " + id + " on A: " + s);
        List<JsonObject> events = ClusterProcesses.history(a, id);
        List<String> types = types(events);
        assertEquals("completed", types.get(types.size() - 1), id + ": " + types);
        assertEquals(1, types.stream().filter("completed"::equals).count(), id + ": " + types);
        int requeued = types.indexOf("requeued");
        if (requeued < 0) continue;
        handedOver++;
        // handed over while queued: a running edit finishes where it runs
        assertTrue(
            !types.subList(0, requeued).contains("started"),
            id + " was handed over after it started: " + brief(events));
        assertTrue(types.subList(requeued, types.size()).contains("started"), id + ": " + types);
      }
      System.out.printf(
          "cluster drain: %d edits accepted, %d completed, %d handed over unstarted%n",
          accepted.size(), accepted.size(), handedOver);
      assertTrue(handedOver >= 1, "B had queued edits to hand over: none was requeued");
    }
  }

  private static String accept(Node node, int i) throws Exception {
    HttpResponse<String> r = ClusterProcesses.post(node, ClusterProcesses.edit(i, STEPS, i));
    assertEquals(202, r.statusCode(), node.name() + ": " + r.body());
    return new JsonObject(r.body()).getString("id");
  }

  /** The events but template and step progress, for messages. */
  static String brief(List<JsonObject> events) {
    StringBuilder b = new StringBuilder();
    for (JsonObject e : events) {
      String t = e.getString("type");
      if (!t.equals("template") && !t.equals("step") && !t.equals("queued"))
        b.append(e).append(' ');
    }
    return b.toString();
  }

  static List<String> types(List<JsonObject> events) {
    List<String> out = new ArrayList<>();
    for (JsonObject e : events) out.add(e.getString("type"));
    return out;
  }
}
