package io.instgenie.verticles.http;

import io.instgenie.verticles.http.reply.Responses;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The router's last word: 405 with an {@code Allow} header when the path exists under other
 * methods, else a JSON 404. Built once from the API's routes with a fixed path (the page's
 * catch-all static route is not one of them).
 */
final class RouteMethods {
  private record Known(Pattern path, Set<HttpMethod> methods) {}

  private final List<Known> known;

  private RouteMethods(List<Known> known) {
    this.known = known;
  }

  static RouteMethods of(List<Route> routes) {
    List<Known> known = new ArrayList<>();
    for (Route r : routes) {
      String p = r.getPath();
      if (p == null || p.endsWith("*") || r.methods() == null || r.methods().isEmpty()) continue;
      List<String> parts = new ArrayList<>();
      for (String part : p.split("/", -1))
        parts.add(part.startsWith(":") ? "[^/]+" : Pattern.quote(part));
      known.add(new Known(Pattern.compile(String.join("/", parts)), Set.copyOf(r.methods())));
    }
    return new RouteMethods(known);
  }

  /** The methods this path answers to (empty: no such path). */
  Set<String> allowed(String path) {
    Set<String> out = new TreeSet<>();
    for (Known k : known) {
      if (k.path().matcher(path).matches()) k.methods().forEach(m -> out.add(m.name()));
    }
    return out;
  }

  void notFoundOrNotAllowed(RoutingContext rc) {
    String method = rc.request().method().name();
    String path = rc.request().path();
    // matched as the router matched it: /v1/edits/%2e%2e/image is /v1/image, not an edit's image
    String routed = rc.normalizedPath();
    Set<String> allowed = allowed(routed == null ? "" : routed);
    if (allowed.isEmpty()) {
      Responses.error(rc, 404, "no route " + method + " " + path);
      return;
    }
    rc.response().putHeader("Allow", String.join(", ", allowed));
    Responses.error(
        rc,
        405,
        method + " is not allowed on " + path + "; allowed: " + String.join(", ", allowed));
  }
}
