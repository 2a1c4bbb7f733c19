package io.instgenie.verticles.http;

import io.instgenie.verticles.http.auth.Caller;
import io.instgenie.verticles.http.auth.Gate;
import io.instgenie.verticles.http.auth.ResultUrls;
import io.instgenie.verticles.http.reply.Responses;
import io.instgenie.verticles.messages.Accepted;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.JobStatus;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The routes of {@code /v1/edits}: submit, status, image, cancel, and progress over SSE and
 * WebSocket. Each acts on an edit the caller may see ({@link Calls#owned}); another tenant's id
 * answers as an unknown one.
 */
final class EditRoutes {
  /** What a follower may send; anything else is answered with an error frame, and ignored. */
  private static final String SOCKET_TAKES =
      "the only message this socket takes is the text cancel";

  /**
   * Longer text messages close the socket with 1009 (message too big), as RFC 6455 says, as do
   * frames over the server's frame size, which Netty refuses before any handler sees them.
   */
  private static final int MAX_MESSAGE_CHARS = 1024;

  private static final String TOO_BIG = "message too big: " + SOCKET_TAKES;

  private final Vertx vertx;
  private final Calls calls;
  private final ResultUrls results;
  private final EditHooks hooks;

  EditRoutes(Vertx vertx, Calls calls, ResultUrls results, EditHooks hooks) {
    this.vertx = vertx;
    this.calls = calls;
    this.results = results;
    this.hooks = hooks;
  }

  void submitEdit(RoutingContext rc) {
    Caller caller = Gate.caller(rc);
    // the callback is read first (a JSON body parsed off the event loop), so a bad one is refused
    // before the edit is admitted
    vertx
        .executeBlocking(() -> Optional.ofNullable(hooks.request(rc, caller)), false)
        .compose(
            hook ->
                EditForms.read(vertx, rc, EditForms.Route.EDIT)
                    .compose(raw -> calls.admit(rc, raw, caller))
                    .map(
                        a -> {
                          hook.ifPresent(h -> hooks.watch(a, h));
                          return a;
                        }))
        .onSuccess(a -> Responses.json(rc, 202, accepted(a)))
        .onFailure(err -> calls.reject(rc, err));
  }

  private static JsonObject accepted(Accepted a) {
    String base = "/v1/edits/" + a.id();
    return new JsonObject()
        .put("id", a.id())
        .put("template_id", a.templateId())
        .put("seed", a.seed())
        .put("steps", a.steps())
        .put("status_url", base)
        .put("events_url", base + "/events")
        .put("websocket_url", base + "/ws")
        .put("image_url", base + "/image");
  }

  void getEdit(RoutingContext rc) {
    calls
        .owned(rc.pathParam("id"), Gate.caller(rc))
        .onSuccess(s -> Responses.json(rc, 200, status(s)))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private Map<String, Object> status(JobSnapshot s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("status", s.status().wire());
    m.put("template_id", s.templateId());
    m.put("steps", s.steps());
    m.put("seed", s.seed());
    m.put("queue_position", s.queuePosition());
    m.put("step", s.step());
    if (s.node() != null) m.put("node", s.node()); // clustered: the node it runs (or ran) on
    m.put("timings", s.timings() == null ? null : s.timings().toJson());
    m.put("error", s.error());
    if (s.status() == JobStatus.COMPLETED)
      m.put("image_url", results.path(s.id(), System.currentTimeMillis() / 1000));
    JsonObject hook = hooks.state(s.id());
    if (hook != null) m.put("webhook", hook);
    return m;
  }

  /** The caller's edit (checked only when it has a tenant: the open service sees all). */
  private Future<String> visible(String id, Caller caller) {
    if (caller.tenant() == null) return Future.succeededFuture(id);
    return calls.owned(id, caller).map(s -> id);
  }

  void getImage(RoutingContext rc) {
    visible(rc.pathParam("id"), Gate.caller(rc))
        .compose(id -> vertx.eventBus().<Buffer>request(Addresses.JOB_IMAGE, id, Calls.TIMEOUT))
        .onSuccess(m -> Responses.png(rc, m.body()))
        .onFailure(err -> Responses.failure(rc, err));
  }

  void cancelEdit(RoutingContext rc) {
    String id = rc.pathParam("id");
    visible(id, Gate.caller(rc))
        .compose(v -> vertx.eventBus().<String>request(Addresses.JOB_CANCEL, id, Calls.TIMEOUT))
        .onSuccess(
            m ->
                Responses.json(
                    rc,
                    202,
                    new JsonObject()
                        .put("id", id)
                        .put("status", m.body())
                        .put(
                            "cancel",
                            JobStatus.of(m.body()).terminal() ? "too late" : "requested")))
        .onFailure(err -> Responses.failure(rc, err));
  }

  /**
   * Server-Sent Events: the job's history, then live events, one `event:` per JobEvent. A client
   * that reconnects with {@code Last-Event-ID} (as EventSource does) gets only the later events;
   * when it already has the terminal one, 204 tells it that nothing more will come (EventSource
   * stops reconnecting), instead of the history again.
   */
  void editEvents(RoutingContext rc) {
    String id = rc.pathParam("id");
    Boolean cancelOnClose = cancelOnCloseOr400(rc);
    if (cancelOnClose == null) return;
    Long after = lastEventIdOr400(rc);
    if (after == null) return;
    calls
        .owned(id, Gate.caller(rc))
        .onFailure(err -> Responses.failure(rc, err))
        .onSuccess(
            known -> {
              List<JobEvent> history = known.events();
              JobEvent last = history.isEmpty() ? null : history.get(history.size() - 1);
              if (last != null && last.terminal() && last.seq() <= after) {
                rc.response().setStatusCode(204).end();
              } else {
                streamEvents(rc, id, after, cancelOnClose);
              }
            });
  }

  /**
   * The {@code Last-Event-ID} header: the seq of the last event the client has (0 without one). A
   * value that is not one is answered 400 here, and null returned.
   */
  private static Long lastEventIdOr400(RoutingContext rc) {
    String v = rc.request().getHeader("Last-Event-ID");
    if (v == null || v.isBlank()) return 0L;
    try {
      long seq = Long.parseLong(v.trim());
      if (seq >= 0) return seq;
    } catch (NumberFormatException e) {
      // answered below
    }
    Responses.error(
        rc, 400, "Last-Event-ID must be the id (seq) of an event of this stream, got '" + v + "'");
    return null;
  }

  private void streamEvents(RoutingContext rc, String id, long after, boolean cancelOnClose) {
    if (rc.response().closed()) {
      // the client went away during the ownership check, before a close handler could hear it
      if (cancelOnClose) calls.cancel(id);
      return;
    }
    var res =
        rc.response()
            .setChunked(true)
            .putHeader("Content-Type", "text/event-stream")
            .putHeader("Cache-Control", "no-cache");
    res.write(": following edit " + id + "\n\n");
    ProgressFollower f =
        ProgressFollower.followAfter(
            vertx,
            id,
            after,
            e ->
                res.write(
                    "id: "
                        + e.seq()
                        + "\nevent: "
                        + e.type()
                        + "\ndata: "
                        + Json.encode(e.toClient())
                        + "\n\n"));
    rc.request()
        .connection()
        .closeHandler(
            v -> {
              if (cancelOnClose && !f.end().isComplete()) calls.cancel(id);
              f.close("closed");
            });
    f.end()
        .onComplete(
            ar -> {
              if (!res.ended()) res.end();
            });
  }

  /** WebSocket: the same events as text frames of JSON; closes after the terminal event. */
  void editWebSocket(RoutingContext rc) {
    String id = rc.pathParam("id");
    Boolean cancelOnClose = cancelOnCloseOr400(rc);
    if (cancelOnClose == null) return;
    Caller caller = Gate.caller(rc);
    String notUpgrade = notAnUpgrade(rc);
    if (notUpgrade != null) {
      // Vert.x would answer 400 in plain text: say what is wrong, as JSON like every error
      Responses.error(rc, 400, "this route expects a WebSocket upgrade: " + notUpgrade);
      return;
    }
    rc.request()
        .toWebSocket()
        .onSuccess(
            ws -> {
              // frames wait until follow() has set its handlers: with API keys the tenant check
              // is a round trip, and a `cancel` read before it would be dropped
              ws.pause();
              visible(id, caller)
                  .onSuccess(v -> follow(ws, id, cancelOnClose))
                  .onFailure(err -> refuse(ws, err.getMessage()));
            })
        .onFailure(err -> rc.fail(400, err));
  }

  /** What keeps the request from being a WebSocket handshake, or null when nothing does. */
  private static String notAnUpgrade(RoutingContext rc) {
    var h = rc.request().headers();
    if (!"websocket".equalsIgnoreCase(h.get("Upgrade"))) return "Upgrade: websocket is missing";
    String connection = h.get("Connection");
    boolean upgrade = false;
    if (connection != null)
      for (String token : connection.split(","))
        upgrade |= token.trim().equalsIgnoreCase("upgrade");
    if (!upgrade) return "Connection: Upgrade is missing";
    if (h.get("Sec-WebSocket-Key") == null) return "Sec-WebSocket-Key is missing";
    return null; // a version other than 13 is answered 426 with the version, as RFC 6455 says
  }

  /**
   * {@code ?cancel_on_close=1}: the follower's going away cancels the edit. Another value than
   * 1/true/0/false is answered 400 here, and null returned.
   */
  private static Boolean cancelOnCloseOr400(RoutingContext rc) {
    String v = rc.queryParams().get("cancel_on_close");
    if (v == null || v.equals("0") || v.equalsIgnoreCase("false")) return false;
    if (v.equals("1") || v.equalsIgnoreCase("true")) return true;
    Responses.error(rc, 400, "cancel_on_close must be 1, true, 0 or false, got " + v);
    return null;
  }

  private static void refuse(ServerWebSocket ws, String why) {
    if (ws.isClosed()) return;
    answer(ws, why);
    ws.close((short) 1008, "unknown edit");
  }

  private static void answer(ServerWebSocket ws, String error) {
    if (ws.isClosed()) return;
    ws.writeTextMessage(new JsonObject().put("type", "error").put("error", error).encode());
  }

  /** A client's message, cut short to be quoted in an error. */
  private static String clip(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }

  private void follow(ServerWebSocket ws, String id, boolean cancelOnClose) {
    ProgressFollower f =
        ProgressFollower.follow(vertx, id, e -> ws.writeTextMessage(Json.encode(e.toClient())));
    Handler<Void> closed =
        v -> {
          if (cancelOnClose && !f.end().isComplete()) calls.cancel(id);
          f.close("closed");
        };
    ws.closeHandler(closed);
    ws.textMessageHandler(
        text -> {
          if (text.length() > MAX_MESSAGE_CHARS) ws.close((short) 1009, TOO_BIG);
          else if (text.trim().equals("cancel")) calls.cancel(id);
          else answer(ws, "unknown message '" + clip(text) + "': " + SOCKET_TAKES);
        });
    ws.binaryMessageHandler(b -> answer(ws, "binary frames are not understood: " + SOCKET_TAKES));
    ws.exceptionHandler(
        t -> {
          if (ws.isClosed()) return;
          // Netty refuses a frame over the server's frame size, and Vert.x a message over its
          // message size (an IllegalStateException of its frame aggregator), neither with a close
          // frame of its own
          if (t instanceof CorruptedWebSocketFrameException c) {
            int code = c.closeStatus().code();
            ws.close((short) code, code == 1009 ? TOO_BIG : clip(String.valueOf(c.getMessage())));
          } else if (t instanceof IllegalStateException
              && String.valueOf(t.getMessage()).contains("max message size")) {
            ws.close(
                (short) 1009, TOO_BIG); // the aggregator's words (ProgressStreamTest pins them)
          }
        });
    ws.resume();
    if (ws.isClosed()) closed.handle(null); // it went away during the tenant check
    f.end()
        .onComplete(
            ar -> {
              if (ar.failed() && !"closed".equals(ar.cause().getMessage())) {
                refuse(ws, ar.cause().getMessage());
              } else if (!ws.isClosed()) {
                ws.close();
              }
            });
  }
}
