package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.ClusterProcesses.Node;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
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
 * {@code kill -9} of one node of a two-process cluster under load (edits posted to both nodes,
 * round-robin routing across both workers): every edit acknowledged with 202, by either node,
 * completes exactly once on the survivor — the dead node's own edits (its job records live in the
 * cluster's map, with a backup on the survivor) are adopted or re-admitted, the survivor's edits
 * that ran there are placed again. The same load as {@code EditLoadSimulation} (POST /v1/edits,
 * then the edit followed to its end), driven from the test; the Gatling form is in
 * loadtest/README.md.
 */
class ClusterCrashProcessTest {
  private static final int STEPS = 100;
  private static final int BEFORE_KILL = 12;
  private static final int AFTER_KILL = 4;

  @TempDir Path dir;

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  @DisplayName(
      "kill -9 of one of two nodes under load: every edit acknowledged with 202 completes exactly"
          + " once on the survivor")
  void killNineUnderLoad() throws Exception {
    try (ClusterProcesses c =
        ClusterProcesses.start(
            dir,
            2,
            Map.of(
                "INSTGENIE_MAX_STEPS",
                String.valueOf(STEPS),
                // beyond max_batch an edit waits in its worker's queue, unstarted
                "INSTGENIE_CACHE",
                "off"))) {
      Node a = c.nodes.get(0);
      Node b = c.nodes.get(1);
      c.awaitEveryWorkerKnown(a);
      c.awaitEveryWorkerKnown(b);
      List<String> acked = new ArrayList<>();
      int ackedByB = 0;
      for (int i = 0; i < BEFORE_KILL; i++) {
        Node via = i % 2 == 0 ? a : b;
        acked.add(accept(via, i));
        if (via == b) ackedByB++;
      }
      int unfinishedAtKill = 0;
      for (String id : acked) {
        String st =
            new JsonObject(ClusterProcesses.get(a, "/v1/edits/" + id).body()).getString("status");
        if ("queued".equals(st) || "running".equals(st)) unfinishedAtKill++;
      }
      b.process().destroyForcibly(); // SIGKILL
      assertTrue(b.process().waitFor(30, TimeUnit.SECONDS), "B is gone");
      // the load goes on: B answers nothing any more (no 202, so nothing promised), A takes all
      int refusedByB = 0;
      for (int i = BEFORE_KILL; i < BEFORE_KILL + AFTER_KILL; i++) {
        try {
          ClusterProcesses.post(b, ClusterProcesses.edit(i, STEPS, i));
          throw new AssertionError("B answered after kill -9");
        } catch (IOException expected) {
          refusedByB++;
        }
        acked.add(accept(a, i));
      }

      int completed = 0;
      int requeued = 0;
      for (String id : acked) {
        JsonObject s = ClusterProcesses.awaitEnd(a, id, Duration.ofSeconds(240));
        assertEquals("completed", s.getString("status"), "edit " + id + " on A: " + s);
        List<String> types = ClusterDrainProcessTest.types(ClusterProcesses.history(a, id));
        assertEquals("completed", types.get(types.size() - 1), id + ": " + types);
        assertEquals(1, types.stream().filter("completed"::equals).count(), id + ": " + types);
        HttpResponse<byte[]> png = ClusterProcesses.image(a, id);
        assertEquals(200, png.statusCode(), "image of " + id + " from A");
        completed++;
        if (types.contains("requeued")) requeued++;
      }
      System.out.printf(
          "cluster crash: %d edits acknowledged (%d by the killed node), %d unfinished at the kill,"
              + " %d posts to the dead node refused, %d completed exactly once on the survivor"
              + " (%d re-admitted)%n",
          acked.size(), ackedByB, unfinishedAtKill, refusedByB, completed, requeued);
      assertEquals(acked.size(), completed, "every acknowledged edit completed");
      assertTrue(unfinishedAtKill > 0, "the kill came while edits were in progress");
      assertTrue(requeued > 0, "edits B held were re-admitted on A");
    }
  }

  private static String accept(Node node, int i) throws Exception {
    HttpResponse<String> r = ClusterProcesses.post(node, ClusterProcesses.edit(i, STEPS, i));
    assertEquals(202, r.statusCode(), node.name() + ": " + r.body());
    return new JsonObject(r.body()).getString("id");
  }
}
