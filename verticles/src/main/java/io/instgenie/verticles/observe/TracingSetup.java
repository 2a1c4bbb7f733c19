package io.instgenie.verticles.observe;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

/** Builds the service's tracing from {@code otlp_endpoint}: OTLP/HTTP export, or none. */
public final class TracingSetup {
  private TracingSetup() {}

  /**
   * Spans batched to the OTLP/HTTP endpoint, flushed when the JVM exits; {@link EditTracing#OFF}
   * when {@code endpoint} is null.
   */
  public static EditTracing fromEndpoint(String endpoint) {
    if (endpoint == null) return EditTracing.OFF;
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), "instgenie"))))
            .addSpanProcessor(
                BatchSpanProcessor.builder(
                        OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build())
                    .build())
            .build();
    Runtime.getRuntime().addShutdownHook(new Thread(provider::close, "instgenie-otlp-flush"));
    return new EditTracing(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
  }
}
