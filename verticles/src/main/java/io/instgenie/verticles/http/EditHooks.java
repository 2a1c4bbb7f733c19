package io.instgenie.verticles.http;

import io.instgenie.verticles.http.auth.Caller;
import io.instgenie.verticles.http.auth.ResultUrls;
import io.instgenie.verticles.http.webhook.CallbackUrls;
import io.instgenie.verticles.http.webhook.Webhooks;
import io.instgenie.verticles.messages.Accepted;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.ServiceException;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.Locale;

/**
 * An edit's {@code callback_url}: checked at submission (allow-list, a secret to sign with), then
 * the edit is followed to its end and the event is delivered by {@link Webhooks}.
 */
final class EditHooks {
  /** A checked callback: where, the secret that signs it, and the base of its result URL. */
  record Request(URI url, String secret, String base) {}

  private final Vertx vertx;
  private final CallbackUrls urls;
  private final String serviceSecret;
  private final Webhooks webhooks;
  private final ResultUrls results;

  EditHooks(
      Vertx vertx, CallbackUrls urls, String serviceSecret, Webhooks webhooks, ResultUrls results) {
    this.vertx = vertx;
    this.urls = urls;
    this.serviceSecret = serviceSecret;
    this.webhooks = webhooks;
    this.results = results;
  }

  /** The request's callback, checked (400 when refused), or null when it names none. */
  Request request(RoutingContext rc, Caller caller) {
    String url = callbackUrl(rc);
    if (url == null) return null;
    if (url.isBlank())
      throw new ServiceException(
          ServiceException.BAD_REQUEST,
          "callback_url is empty; leave the field out for an edit without a webhook");
    URI u = urls.check(url);
    String secret = caller.webhookSecret() != null ? caller.webhookSecret() : serviceSecret;
    if (secret == null)
      throw new ServiceException(
          ServiceException.BAD_REQUEST,
          "callback_url is refused: no webhook secret to sign it with (set webhook_secret, or the"
              + " key's webhook_secret)");
    return new Request(u, secret, Calls.base(rc));
  }

  private static String callbackUrl(RoutingContext rc) {
    String type = rc.request().getHeader("Content-Type");
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      Object v;
      try {
        JsonObject j = rc.body().asJsonObject();
        v = j == null ? null : j.getValue("callback_url");
      } catch (DecodeException | ClassCastException e) {
        return null; // the edit's own reading says what is wrong with the body
      }
      if (v != null && !(v instanceof String))
        throw new ServiceException(ServiceException.BAD_REQUEST, "callback_url must be a string");
      return (String) v;
    }
    return rc.request().getFormAttribute("callback_url");
  }

  /** Follows the accepted edit to its end, then delivers its event. */
  void watch(Accepted a, Request r) {
    webhooks.expect(a.id(), r.url());
    ProgressFollower.follow(vertx, a.id(), e -> {})
        .end()
        .onSuccess(e -> webhooks.deliver(a.id(), r.secret(), event(a, e, r.base())));
  }

  /** The webhook's body: what ended, and for a completed edit its signed result URL. */
  private JsonObject event(Accepted a, JobEvent e, String base) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject event =
        new JsonObject()
            .put("type", "edit." + e.type())
            .put("id", a.id())
            .put("status", e.type())
            .put("template_id", a.templateId())
            .put("seed", a.seed())
            .put("steps", a.steps())
            .put("error", e.body() instanceof JobEvent.Failed f ? f.error() : null);
    // only a completed edit has an image: the others carry no image_url at all (not a null)
    if (e.body() instanceof JobEvent.Completed)
      event.put("image_url", base + results.path(a.id(), now));
    return event.put("created", now);
  }

  /** The edit's webhook delivery as JSON, or null. */
  JsonObject state(String id) {
    return webhooks.state(id);
  }
}
