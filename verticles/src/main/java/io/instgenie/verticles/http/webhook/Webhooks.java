package io.instgenie.verticles.http.webhook;

import io.instgenie.verticles.http.auth.Hmac;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers webhooks: POSTs the event's JSON with {@code X-InstGenIE-Signature: t=<unix s>,v1=<hex
 * HMAC-SHA256(secret, t + "." + body)>}; anything but a 2xx is retried after an exponential backoff
 * ({@link #BASE_DELAY_MS} doubling, up to {@link #MAX_DELAY_MS}) with jitter (half to all of it)
 * until {@code webhook_retry_ms} after the first attempt, then given up. Each attempt has its own
 * timeout. State lives on the node that accepted the edit (a node that goes away takes its pending
 * deliveries with it); runs on the HTTP verticle's event loop.
 */
public final class Webhooks {
  public static final String SIGNATURE_HEADER = "X-InstGenIE-Signature";
  static final long BASE_DELAY_MS = 200;
  static final long MAX_DELAY_MS = 60_000;
  private static final long ATTEMPT_TIMEOUT_MS = 10_000;
  private static final int KEPT = 10_000;

  private final Vertx vertx;
  private final WebClient client;
  private final long retryMs;
  private final Map<String, Delivery> deliveries =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Delivery> e) {
          return size() > KEPT;
        }
      };

  public Webhooks(Vertx vertx, long retryMs) {
    this.vertx = vertx;
    this.retryMs = retryMs;
    this.client =
        WebClient.create(
            vertx, new WebClientOptions().setFollowRedirects(false).setUserAgent("InstGenIE"));
  }

  /** The signature header's value for {@code body} at {@code unixSeconds}. */
  public static String signature(String secret, long unixSeconds, String body) {
    return "t=" + unixSeconds + ",v1=" + Hmac.sha256Hex(secret, unixSeconds + "." + body);
  }

  /** Registers the edit's webhook (before its end), so its status shows it pending. */
  public void expect(String editId, URI url) {
    deliveries.put(editId, new Delivery(url.toString(), 0));
  }

  /** Starts delivering {@code event} for the edit registered with {@link #expect}. */
  public void deliver(String editId, String secret, JsonObject event) {
    Delivery d = deliveries.get(editId);
    if (d == null) return;
    Delivery started = new Delivery(d.url, System.currentTimeMillis());
    deliveries.put(editId, started);
    attempt(started, secret, event.encode());
  }

  /**
   * Completes once every webhook registered here has been delivered or given up, or after {@code
   * timeoutMs} (a drain waits for it, so a stopping node does not drop deliveries under way).
   */
  public Future<Void> settled(long timeoutMs) {
    Promise<Void> done = Promise.promise();
    awaitSettled(done, System.currentTimeMillis() + timeoutMs);
    return done.future();
  }

  private void awaitSettled(Promise<Void> done, long untilMs) {
    if (pending() == 0 || System.currentTimeMillis() >= untilMs) {
      done.tryComplete();
      return;
    }
    vertx.setTimer(50, t -> awaitSettled(done, untilMs));
  }

  /** Deliveries neither delivered nor given up (some edits' ends not yet heard). */
  int pending() {
    int n = 0;
    for (Delivery d : deliveries.values()) if (!d.delivered && !d.gaveUp) n++;
    return n;
  }

  /** The edit's delivery as JSON, or null when it has no webhook (here). */
  public JsonObject state(String editId) {
    Delivery d = deliveries.get(editId);
    return d == null ? null : d.toJson();
  }

  private void attempt(Delivery d, String secret, String body) {
    d.attempts++;
    long now = System.currentTimeMillis();
    client
        .postAbs(d.url)
        .timeout(ATTEMPT_TIMEOUT_MS)
        .putHeader("Content-Type", "application/json")
        .putHeader(SIGNATURE_HEADER, signature(secret, now / 1000, body))
        .sendBuffer(Buffer.buffer(body))
        .onSuccess(
            r -> {
              d.lastStatus = r.statusCode();
              d.lastError = null;
              if (r.statusCode() / 100 == 2) d.delivered = true;
              else retry(d, secret, body);
            })
        .onFailure(
            err -> {
              d.lastStatus = 0;
              d.lastError = err.getMessage();
              retry(d, secret, body);
            });
  }

  private void retry(Delivery d, String secret, String body) {
    long backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS << Math.min(20, d.attempts - 1));
    long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    if (System.currentTimeMillis() + delay - d.startedMs > retryMs) {
      d.gaveUp = true;
      return;
    }
    vertx.setTimer(delay, t -> attempt(d, secret, body));
  }
}
