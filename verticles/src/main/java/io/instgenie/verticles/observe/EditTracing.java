package io.instgenie.verticles.observe;

import io.instgenie.verticles.messages.Origin;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * The service's tracer and W3C trace-context propagation: from HTTP and event-bus headers, into
 * event-bus headers, and to and from the {@code traceparent} string a job's messages carry across
 * nodes. {@link #OFF} (the default) records nothing.
 */
public final class EditTracing {
  /** The W3C header (and event-bus header) that carries a span's context. */
  public static final String TRACEPARENT = "traceparent";

  /** The event-bus header that carries a task's tenant beside its trace context. */
  static final String TENANT = "tenant";

  public static final EditTracing OFF = new EditTracing(OpenTelemetry.noop());

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<MultiMap> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
          return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final Tracer tracer;

  public EditTracing(OpenTelemetry otel) {
    this.tracer = otel.getTracer("io.instgenie");
  }

  public Tracer tracer() {
    return tracer;
  }

  /** The context HTTP or event-bus headers carry (the root context when they carry none). */
  public Context extract(MultiMap headers) {
    return W3C.extract(Context.root(), headers, HEADERS);
  }

  /** The context a {@code traceparent} string names (the root context for null). */
  public Context extract(String traceparent) {
    if (traceparent == null) return Context.root();
    return W3C.extract(Context.root(), Map.of(TRACEPARENT, traceparent), new MapGetter());
  }

  /** The {@code traceparent} of a context's span; null when it has no valid span. */
  public static String traceparent(Context ctx) {
    Map<String, String> out = new HashMap<>();
    W3C.inject(ctx, out, Map::put);
    return out.get(TRACEPARENT);
  }

  /** Delivery options whose headers carry the context. */
  public static DeliveryOptions carry(Context ctx, DeliveryOptions options) {
    String tp = traceparent(ctx);
    if (tp != null) options.addHeader(TRACEPARENT, tp);
    return options;
  }

  /** Delivery options whose headers carry a task's origin: its trace context and tenant. */
  public static DeliveryOptions carry(Origin origin, DeliveryOptions options) {
    if (origin.traceparent() != null) options.addHeader(TRACEPARENT, origin.traceparent());
    if (origin.tenant() != null) options.addHeader(TENANT, origin.tenant());
    return options;
  }

  /** The origin that {@link #carry(Origin, DeliveryOptions)} put into message headers. */
  public static Origin origin(MultiMap headers) {
    return new Origin(headers.get(TENANT), headers.get(TRACEPARENT));
  }

  /** The trace id of a context's span, or null when it has none (for log lines). */
  public static String traceId(Context ctx) {
    SpanContext sc = Span.fromContext(ctx).getSpanContext();
    return sc.isValid() ? sc.getTraceId() : null;
  }

  /** The trace id in a traceparent string ("00-traceid-spanid-flags"), or null. */
  public static String traceId(String traceparent) {
    if (traceparent == null) return null;
    String[] parts = traceparent.split("-");
    return parts.length == 4 ? parts[1] : null;
  }

  private static final class MapGetter implements TextMapGetter<Map<String, String>> {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  }
}
