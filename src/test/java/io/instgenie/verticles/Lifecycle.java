package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** The shape of an edit's event stream, asserted event by event. */
final class Lifecycle {
  private Lifecycle() {}

  /**
   * queued (one or more), started, template (zero or more), step 1..N (consecutive, one per worker
   * step), completed with timings; numbered 1, 2, 3, ... and all of one edit.
   */
  static void assertCompleted(List<JsonObject> events, String id, int steps) {
    int i = assertPrefix(events, id);
    while (i < events.size() && type(events, i).equals("template")) {
      JsonObject t = events.get(i++);
      assertNotNull(t.getInteger("step"), "template event without step: " + t);
      assertNotNull(t.getInteger("total"), "template event without total: " + t);
    }
    Long previousWorkerStep = null;
    for (int k = 1; k <= steps; k++, i++) {
      assertTrue(i < events.size(), "the stream ends before step " + k + ": " + events);
      JsonObject e = events.get(i);
      assertEquals(
          "step", e.getString("type"), "event " + (i + 1) + " should be step " + k + ": " + events);
      assertEquals(k, e.getInteger("step"), "steps are consecutive: " + e);
      assertEquals(steps, e.getInteger("total"), "total steps: " + e);
      assertTrue(e.getLong("eta_ms") >= 0, "eta_ms: " + e);
      long ws = e.getLong("worker_step");
      if (previousWorkerStep != null) {
        assertEquals(
            previousWorkerStep + 1,
            ws,
            "a running edit takes part in every step of its worker: " + e);
      }
      previousWorkerStep = ws;
    }
    assertEquals(
        events.size() - 1, i, "completed must follow the last step and end the stream: " + events);
    JsonObject done = events.get(i);
    assertEquals("completed", done.getString("type"), "the terminal event: " + done);
    JsonObject timings = done.getJsonObject("timings");
    assertNotNull(timings, "completed carries timings: " + done);
    for (String key : List.of("queue_ms", "template_run_ms", "denoise_ms", "post_process_ms")) {
      assertNotNull(timings.getLong(key), "timings." + key + " in " + done);
      assertTrue(timings.getLong(key) >= 0, "timings." + key + " must not be negative: " + done);
    }
  }

  /**
   * Numbering and identity, then queued (one or more) and started; answers the index after started.
   */
  static int assertPrefix(List<JsonObject> events, String id) {
    assertFalse(events.isEmpty(), "no events");
    for (int k = 0; k < events.size(); k++) {
      assertEquals(id, events.get(k).getString("id"), "event of another edit: " + events.get(k));
      assertEquals(
          k + 1, events.get(k).getLong("seq"), "events are numbered 1, 2, 3, ...: " + events);
    }
    assertEquals("queued", type(events, 0), "the first event: " + events.get(0));
    int i = 0;
    while (i < events.size() && type(events, i).equals("queued")) {
      JsonObject q = events.get(i++);
      assertTrue(q.getInteger("position") >= 1, "queue position: " + q);
      assertNotNull(q.getLong("worker_step"), "queued carries worker_step: " + q);
    }
    assertTrue(i < events.size(), "the stream ends while queued: " + events);
    assertEquals("started", type(events, i), "started follows queued: " + events);
    return i + 1;
  }

  static long count(List<JsonObject> events, String type) {
    return events.stream().filter(e -> type.equals(e.getString("type"))).count();
  }

  static JsonObject last(List<JsonObject> events) {
    assertFalse(events.isEmpty(), "no events");
    return events.get(events.size() - 1);
  }

  /** The last step event, or null when there is none. */
  static JsonObject lastStep(List<JsonObject> events) {
    JsonObject out = null;
    for (JsonObject e : events) if ("step".equals(e.getString("type"))) out = e;
    return out;
  }

  private static String type(List<JsonObject> events, int i) {
    return events.get(i).getString("type");
  }
}
