package io.instgenie.verticles.http;

import io.instgenie.verticles.observe.EditTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * A server span per HTTP request, a child of the client's {@code traceparent}; it ends with the
 * response and is named after the route that answered (ids would make every name unique).
 */
final class RequestSpans implements Handler<RoutingContext> {
  /** The routing-context key of the request's trace context. */
  private static final String KEY = "instgenie.trace";

  private final EditTracing tracing;

  RequestSpans(EditTracing tracing) {
    this.tracing = tracing;
  }

  /** The request's context (its server span inside), or the root context when untraced. */
  static Context of(RoutingContext rc) {
    return rc.get(KEY, Context.root());
  }

  @Override
  public void handle(RoutingContext rc) {
    String method = rc.request().method().name();
    Context parent = tracing.extract(rc.request().headers());
    Span span =
        tracing
            .tracer()
            .spanBuilder(method)
            .setSpanKind(SpanKind.SERVER)
            .setParent(parent)
            .setAttribute("http.request.method", method)
            .setAttribute("url.path", rc.request().path())
            .startSpan();
    rc.put(KEY, parent.with(span));
    rc.addEndHandler(
        ar -> {
          String route = rc.currentRoute() == null ? null : rc.currentRoute().getPath();
          if (route != null) span.updateName(method + " " + route);
          span.setAttribute("http.response.status_code", (long) rc.response().getStatusCode());
          span.end();
        });
    rc.next();
  }
}
