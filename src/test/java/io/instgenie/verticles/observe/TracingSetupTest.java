package io.instgenie.verticles.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.messages.Origin;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** otlp_endpoint's tracing, and the W3C context's round trip through headers. */
class TracingSetupTest {
  private static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  @DisplayName("no otlp_endpoint: tracing is off and its spans record nothing")
  void offByDefault() {
    EditTracing off = TracingSetup.fromEndpoint(null);
    assertSame(EditTracing.OFF, off);
    Span s = off.tracer().spanBuilder("x").startSpan();
    assertFalse(s.isRecording(), "a span of the no-op tracer does not record");
  }

  @Test
  @DisplayName("an otlp_endpoint gives a recording tracer (export is batched; none here)")
  void endpointRecords() {
    EditTracing on = TracingSetup.fromEndpoint("http://127.0.0.1:9/v1/traces");
    Span s = on.tracer().spanBuilder("x").startSpan();
    assertTrue(s.isRecording(), "a span of the SDK's tracer records");
  }

  @Test
  @DisplayName("a traceparent survives headers: extracted, carried, read back with the tenant")
  void contextRoundTrip() {
    Context ctx =
        EditTracing.OFF.extract(MultiMap.caseInsensitiveMultiMap().add("traceparent", PARENT));
    assertEquals(PARENT, EditTracing.traceparent(ctx));
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", EditTracing.traceId(ctx));
    DeliveryOptions d = EditTracing.carry(new Origin("acme", PARENT), new DeliveryOptions());
    assertEquals(new Origin("acme", PARENT), EditTracing.origin(d.getHeaders()));
    assertEquals(Origin.NONE, EditTracing.origin(MultiMap.caseInsensitiveMultiMap()));
    assertEquals(null, EditTracing.traceId((String) null));
  }
}
