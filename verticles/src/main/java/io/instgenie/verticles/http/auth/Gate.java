package io.instgenie.verticles.http.auth;

import io.instgenie.verticles.http.Responses;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * The door of every guarded route: finds the caller from {@code Authorization: Bearer <secret>}
 * (401 without a known key), checks its role (403), takes a token of its tenant's rate bucket (429
 * with {@code Retry-After}), and leaves the {@link Caller} in the routing context for the handlers.
 * Runs on the HTTP verticle's event loop: a hash and a few map lookups, nothing that blocks.
 */
public final class Gate {
  private static final String CALLER = "instgenie.caller";

  private final ApiAccess access;
  private final RateLimiter limiter = new RateLimiter();

  public Gate(ApiAccess access) {
    this.access = access;
  }

  /**
   * A handler that lets through callers with {@code role} (and within their rate). A platform
   * handler to Vert.x Web, so it may run before the body handler: a request without a key is
   * refused before its upload is read.
   */
  public Handler<RoutingContext> require(Role role) {
    return (PlatformHandler) rc -> check(rc, role);
  }

  /** The caller a guarded route let through ({@link Caller#OPEN} on an unguarded one). */
  public static Caller caller(RoutingContext rc) {
    Caller c = rc.get(CALLER);
    return c == null ? Caller.OPEN : c;
  }

  private void check(RoutingContext rc, Role role) {
    Caller c = access.caller(bearer(rc.request().getHeader("Authorization")));
    if (c == null) {
      rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"instgenie\"");
      Responses.error(rc, 401, "send a valid API key as 'Authorization: Bearer <secret>'");
      return;
    }
    if (!c.role().allows(role)) {
      Responses.error(
          rc,
          403,
          "key " + c.keyId() + " has role " + c.role().wire() + "; this needs " + role.wire());
      return;
    }
    long waitMs = limiter.take(c.tenant(), c.limits(), System.nanoTime());
    if (waitMs > 0) {
      rc.response().putHeader("Retry-After", String.valueOf(Math.max(1, (waitMs + 999) / 1000)));
      Responses.error(
          rc,
          429,
          "tenant "
              + c.tenant()
              + " is past its "
              + c.limits().requestsPerSecond()
              + " requests per second; retry later");
      return;
    }
    rc.put(CALLER, c);
    rc.next();
  }

  /** The secret of a {@code Bearer} header, or null. */
  static String bearer(String header) {
    if (header == null) return null;
    String h = header.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    String s = h.substring(7).trim();
    return s.isEmpty() ? null : s;
  }
}
