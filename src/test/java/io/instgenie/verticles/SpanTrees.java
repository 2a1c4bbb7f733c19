package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.verticles.observe.EditTracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.function.Predicate;

/** In-memory span capture for tracing tests, and lookups over what was captured. */
final class SpanTrees {
  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final EditTracing tracing;

  SpanTrees() {
    SdkTracerProvider provider =
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    tracing = new EditTracing(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
  }

  /** The finished spans of one trace. */
  List<SpanData> trace(String traceId) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getTraceId().equals(traceId))
        .toList();
  }

  /** The one span of the trace that matches; fails when there is none or more than one. */
  static SpanData one(List<SpanData> spans, String what, Predicate<SpanData> p) {
    List<SpanData> found = spans.stream().filter(p).toList();
    assertEquals(1, found.size(), "one " + what + " span in " + names(spans));
    return found.get(0);
  }

  static SpanData named(List<SpanData> spans, String name) {
    return one(spans, name, s -> s.getName().equals(name));
  }

  static void assertChild(SpanData parent, SpanData child) {
    assertEquals(
        parent.getSpanId(),
        child.getParentSpanId(),
        child.getName() + " is a child of " + parent.getName());
    assertEquals(parent.getTraceId(), child.getTraceId(), child.getName() + "'s trace");
  }

  static List<String> names(List<SpanData> spans) {
    return spans.stream().map(s -> s.getName() + "<-" + s.getParentSpanId()).toList();
  }
}
