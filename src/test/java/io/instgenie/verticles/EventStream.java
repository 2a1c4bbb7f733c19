package io.instgenie.verticles;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * One client's view of an edit's progress stream, Server-Sent Events or WebSocket: the JSON events
 * in arrival order, futures for the first event that matches, and the whole list once the server
 * ends the stream. A malformed frame (an SSE {@code event:} or {@code id:} line that disagrees with
 * the JSON) fails {@link #end()}.
 */
final class EventStream {
  private final String kind;
  private final List<JsonObject> events = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<List<JsonObject>> end = Promise.promise();
  private final StringBuilder pending = new StringBuilder();
  private String problem;

  private record Waiter(Predicate<JsonObject> test, Promise<JsonObject> promise) {}

  private EventStream(String kind) {
    this.kind = kind;
  }

  /** Reads an SSE response (status 200 expected by the caller). */
  static EventStream sse(HttpClientResponse response) {
    EventStream s = new EventStream("SSE");
    response.handler(s::sseChunk);
    response.exceptionHandler(err -> s.broken("SSE stream failed: " + err));
    response.endHandler(v -> s.closed());
    return s;
  }

  /** Reads a WebSocket of JSON text frames. */
  static EventStream ws(WebSocket ws) {
    EventStream s = new EventStream("WebSocket");
    ws.textMessageHandler(
        text -> {
          try {
            s.add(new JsonObject(text));
          } catch (DecodeException e) {
            s.broken("WebSocket frame is not JSON: " + text);
          }
        });
    ws.exceptionHandler(err -> s.broken("WebSocket failed: " + err));
    ws.closeHandler(v -> s.closed());
    return s;
  }

  /** Completes with the first event (already seen or still to come) that matches. */
  synchronized Future<JsonObject> first(Predicate<JsonObject> test) {
    for (JsonObject e : events) if (test.test(e)) return Future.succeededFuture(e);
    if (end.future().isComplete()) {
      return Future.failedFuture(
          new AssertionError(kind + " stream ended without a matching event: " + events));
    }
    Promise<JsonObject> p = Promise.promise();
    waiters.add(new Waiter(test, p));
    return p.future();
  }

  static Predicate<JsonObject> type(String type) {
    return e -> type.equals(e.getString("type"));
  }

  /** The events so far. */
  synchronized List<JsonObject> events() {
    return List.copyOf(events);
  }

  /** Completes with every event once the server ends the stream. */
  Future<List<JsonObject>> end() {
    return end.future();
  }

  private void sseChunk(Buffer chunk) {
    pending.append(chunk.toString());
    for (int cut = pending.indexOf("\n\n"); cut >= 0; cut = pending.indexOf("\n\n")) {
      String frame = pending.substring(0, cut);
      pending.delete(0, cut + 2);
      sseFrame(frame);
    }
  }

  private void sseFrame(String frame) {
    String event = null;
    String id = null;
    StringBuilder data = null;
    for (String line : frame.split("\n")) {
      if (line.startsWith(":")) continue; // a comment
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
      switch (field) {
        case "event" -> event = value;
        case "id" -> id = value;
        case "data" ->
            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> broken("unknown SSE field in line '" + line + "'");
      }
    }
    if (data == null) {
      if (event != null || id != null) broken("SSE frame without data: " + frame);
      return;
    }
    JsonObject json;
    try {
      json = new JsonObject(data.toString());
    } catch (DecodeException e) {
      broken("SSE data is not JSON: " + data);
      return;
    }
    if (event == null || !event.equals(json.getString("type"))) {
      broken("SSE event: " + event + " but the data's type is " + json.getString("type"));
    }
    if (id == null || !id.equals(String.valueOf(json.getLong("seq")))) {
      broken("SSE id: " + id + " but the data's seq is " + json.getLong("seq"));
    }
    add(json);
  }

  private void add(JsonObject e) {
    List<Promise<JsonObject>> hit = new ArrayList<>();
    synchronized (this) {
      events.add(e);
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.test().test(e)) {
          hit.add(w.promise());
          it.remove();
        }
      }
    }
    for (Promise<JsonObject> p : hit) p.tryComplete(e);
  }

  private synchronized void broken(String why) {
    if (problem == null) problem = why;
  }

  private void closed() {
    List<Waiter> left;
    List<JsonObject> all;
    String why;
    synchronized (this) {
      left = new ArrayList<>(waiters);
      waiters.clear();
      all = List.copyOf(events);
      why =
          problem != null
              ? problem
              : pending.toString().isBlank() ? null : "SSE stream ended mid-frame: " + pending;
    }
    for (Waiter w : left) {
      w.promise()
          .tryFail(new AssertionError(kind + " stream ended without a matching event: " + all));
    }
    if (why != null) end.tryFail(new AssertionError(why));
    else end.tryComplete(all);
  }
}
