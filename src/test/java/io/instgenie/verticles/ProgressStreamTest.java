package io.instgenie.verticles;

import static io.instgenie.verticles.FaultInjectionTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Progress over Server-Sent Events and WebSocket: every event, in order, live and for a client that
 * comes late.
 */
class ProgressStreamTest extends SharedService {
  private static final int STEPS = 8;

  @Test
  @DisplayName(
      "SSE streams queued, started, template steps, step 1..N and completed with timings, in order")
  void sseSequence(VertxTestContext ctx) {
    followLive(ctx, 201, client::sse);
  }

  @Test
  @DisplayName(
      "WebSocket streams queued, started, template steps, step 1..N and completed with timings, in order")
  void webSocketSequence(VertxTestContext ctx) {
    followLive(ctx, 202, client::ws);
  }

  @Test
  @DisplayName(
      "A client connecting after completion first gets the whole history and the terminal event, over SSE and WebSocket alike")
  void lateClientsGetTheHistory(VertxTestContext ctx) {
    RgbImage template = TestImages.template(203);
    RgbImage mask = TestImages.rectMask(4, 4, 8, 3);
    Checkpoint live = ctx.checkpoint();
    Checkpoint late = ctx.checkpoint();
    client
        .submit(ServiceClient.editForm(template, mask, "a purple cross", STEPS, 3L))
        .compose(
            id ->
                client
                    .ws(id)
                    .compose(EventStream::end)
                    .compose(
                        liveEvents -> {
                          ctx.verify(
                              () -> {
                                Lifecycle.assertCompleted(liveEvents, id, STEPS);
                                live.flag();
                              });
                          return client
                              .awaitFinished(id)
                              .compose(
                                  status -> {
                                    ctx.verify(
                                        () ->
                                            assertEquals("completed", status.getString("status")));
                                    Future<List<JsonObject>> sse =
                                        client.sse(id).compose(EventStream::end);
                                    Future<List<JsonObject>> ws =
                                        client.ws(id).compose(EventStream::end);
                                    return Future.all(sse, ws)
                                        .map(v -> List.of(liveEvents, sse.result(), ws.result()));
                                  });
                        }))
        .onComplete(
            ctx.succeeding(
                streams ->
                    ctx.verify(
                        () -> {
                          List<JsonObject> liveEvents = streams.get(0);
                          assertEquals(
                              liveEvents,
                              streams.get(1),
                              "a late SSE client gets exactly the events a live client got");
                          assertEquals(
                              liveEvents,
                              streams.get(2),
                              "a late WebSocket client gets exactly the events a live client got");
                          late.flag();
                        })));
  }

  @Test
  @DisplayName(
      "Following an unknown edit: SSE answers 404 with a JSON error, WebSocket sends an error and closes")
  void unknownEdit(VertxTestContext ctx) {
    Checkpoint sse = ctx.checkpoint();
    Checkpoint ws = ctx.checkpoint();
    client
        .get("/v1/edits/no-such-edit/events")
        .onComplete(ErrorReplies.expectError(ctx, sse, 404, "no-such-edit"));
    client
        .ws("no-such-edit")
        .compose(EventStream::end)
        .onComplete(
            ctx.succeeding(
                events ->
                    ctx.verify(
                        () -> {
                          assertEquals(1, events.size(), "one error frame: " + events);
                          assertEquals("error", events.get(0).getString("type"), events.toString());
                          assertTrue(
                              events.get(0).getString("error").contains("no-such-edit"),
                              events.toString());
                          ws.flag();
                        })));
  }

  @Test
  @DisplayName(
      "An SSE client that reconnects with Last-Event-ID gets only the later events; once it has"
          + " the terminal one it gets 204 (EventSource stops), not the history again")
  void sseResumesAfterLastEventId() throws Exception {
    String id =
        await(
            client.submit(
                ServiceClient.editForm(
                    TestImages.template(204),
                    TestImages.rectMask(2, 2, 5, 5),
                    "a red circle",
                    STEPS,
                    4L)));
    List<JsonObject> all = await(client.sse(id).compose(EventStream::end));
    Lifecycle.assertCompleted(all, id, STEPS);
    List<JsonObject> rest = await(client.sse(id, 3L).compose(EventStream::end));
    assertEquals(all.subList(3, all.size()), rest, "the events after seq 3, each once");
    long terminal = Lifecycle.last(all).getLong("seq");
    for (long seen : new long[] {terminal, terminal + 5}) {
      HttpResponse<Buffer> done = await(lastEventId(id, String.valueOf(seen)));
      assertEquals(204, done.statusCode(), "Last-Event-ID " + seen + ": " + done.bodyAsString());
      assertEquals(0, done.body() == null ? 0 : done.body().length(), "204 has no body");
    }
    ErrorReplies.assertError(await(lastEventId(id, "abc")), 400, "Last-Event-ID");
    ErrorReplies.assertError(await(lastEventId(id, "-1")), 400, "Last-Event-ID");
  }

  @Test
  @DisplayName(
      "A live SSE follower whose Last-Event-ID is past every event so far still ends with the"
          + " edit (it does not hang)")
  void sseResumePastTheEndStillEnds() throws Exception {
    String id =
        await(
            client.submit(
                ServiceClient.editForm(
                    TestImages.template(205),
                    TestImages.rectMask(1, 1, 4, 4),
                    "a red circle",
                    STEPS,
                    5L)));
    List<JsonObject> events = await(client.sse(id, 1_000_000L).compose(EventStream::end));
    assertEquals(List.of(), events, "every event is at or before the client's: none is sent");
    assertEquals("completed", await(client.awaitFinished(id)).getString("status"));
  }

  @Test
  @DisplayName(
      "A WebSocket frame or message past the socket's limit is closed with 1009 (message too"
          + " big) and a reason, not dropped; the edit goes on")
  void webSocketOversizedFrameClosesWith1009() throws Exception {
    String id =
        await(
            client.submit(
                ServiceClient.editForm(
                    TestImages.template(207),
                    TestImages.rectMask(1, 1, 4, 4),
                    "a red circle",
                    ServiceClient.LONG_EDIT_STEPS,
                    6L)));
    // 100 KiB in one frame (over the server's frame size), 4 KiB in one frame, 300 KiB split by the
    // client into 64 KiB frames (over Vert.x's message size)
    for (int size : new int[] {100 << 10, 4 << 10, -(300 << 10)}) {
      WebSocket ws =
          await(
              client
                  .vertx
                  .createWebSocketClient()
                  .connect(client.port(), ServiceClient.HOST, "/v1/edits/" + id + "/ws"));
      Promise<Void> closed = Promise.promise();
      ws.closeHandler(v -> closed.tryComplete());
      if (size > 0) await(ws.writeFrame(WebSocketFrame.textFrame("x".repeat(size), true)));
      else await(ws.writeTextMessage("x".repeat(-size)));
      await(closed.future());
      assertEquals((short) 1009, ws.closeStatusCode(), size + " bytes: " + ws.closeReason());
      assertTrue(ws.closeReason().contains("cancel"), "says what it takes: " + ws.closeReason());
    }
    JsonObject status = await(client.get("/v1/edits/" + id)).bodyAsJsonObject();
    assertTrue(
        List.of("queued", "running", "completed").contains(status.getString("status")),
        "the edit is not cancelled by a follower's bad frame: " + status.encode());
    await(client.delete("/v1/edits/" + id));
  }

  @Test
  @DisplayName(
      "A WebSocket message other than cancel, text or binary, is answered with an error frame"
          + " naming it; the socket stays open and cancel still works")
  void webSocketUnknownMessages() throws Exception {
    String id =
        await(
            client.submit(
                ServiceClient.editForm(
                    TestImages.template(206),
                    TestImages.rectMask(1, 1, 4, 4),
                    "a red circle",
                    ServiceClient.LONG_EDIT_STEPS,
                    6L)));
    WebSocket ws =
        await(
            client
                .vertx
                .createWebSocketClient()
                .connect(client.port(), ServiceClient.HOST, "/v1/edits/" + id + "/ws"));
    EventStream s = EventStream.ws(ws);
    await(ws.writeTextMessage("{\"type\":\"cancel\"}"));
    await(ws.writeBinaryMessage(Buffer.buffer("cancel")));
    JsonObject unknown =
        await(
            s.first(
                e ->
                    "error".equals(e.getString("type"))
                        && e.getString("error").contains("unknown message")));
    assertTrue(unknown.getString("error").contains("{\"type\":\"cancel\"}"), unknown.encode());
    JsonObject binary =
        await(
            s.first(
                e ->
                    "error".equals(e.getString("type"))
                        && e.getString("error").contains("binary")));
    assertTrue(binary.getString("error").contains("cancel"), "says what it takes: " + binary);
    await(ws.writeTextMessage("cancel"));
    List<JsonObject> events = await(s.end());
    assertEquals("cancelled", Lifecycle.last(events).getString("type"), events.toString());
    assertEquals(2, Lifecycle.count(events, "error"), events.toString());
  }

  @Test
  @DisplayName(
      "A request on the WebSocket route that is not a whole handshake gets a JSON 400 naming what"
          + " is missing (Upgrade, Connection: Upgrade, Sec-WebSocket-Key), not plain text")
  void webSocketHandshakeProblemsAreJson() throws Exception {
    String[][] cases = {
      {null, null, "Upgrade"},
      {"websocket", "keep-alive", "Connection"},
      {"websocket", "Upgrade", "Sec-WebSocket-Key"}
    };
    for (String[] c : cases) {
      var req = client.web.get(client.port(), ServiceClient.HOST, "/v1/edits/x/ws");
      if (c[0] != null) req.putHeader("Upgrade", c[0]);
      if (c[1] != null) req.putHeader("Connection", c[1]);
      HttpResponse<Buffer> r = await(req.send());
      ErrorReplies.assertError(r, 400, c[2]);
    }
  }

  private static Future<HttpResponse<Buffer>> lastEventId(String id, String value) {
    return client
        .web
        .get(client.port(), ServiceClient.HOST, "/v1/edits/" + id + "/events")
        .putHeader("Last-Event-ID", value)
        .send();
  }

  /** Submits an edit, follows it from right after the 202, and checks the whole sequence. */
  private static void followLive(
      VertxTestContext ctx, long seed, Function<String, Future<EventStream>> open) {
    RgbImage template = TestImages.template(seed);
    RgbImage mask = TestImages.rectMask(1, 1, 7, 9);
    Checkpoint done = ctx.checkpoint();
    client
        .submit(ServiceClient.editForm(template, mask, "a big orange diamond", STEPS, seed))
        .compose(
            id ->
                open.apply(id)
                    .compose(EventStream::end)
                    .map(
                        events -> {
                          ctx.verify(
                              () -> {
                                Lifecycle.assertCompleted(events, id, STEPS);
                                assertTrue(
                                    Lifecycle.count(events, "template") > 0,
                                    "a new template runs first: " + events);
                              });
                          return id;
                        }))
        .compose(id -> client.get("/v1/edits/" + id + "/image"))
        .onComplete(
            ctx.succeeding(
                png ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, png.statusCode());
                          TestImages.assertUnmaskedIdentical(
                              template, TestImages.editPixels(mask), png.body().getBytes());
                          done.flag();
                        })));
  }
}
