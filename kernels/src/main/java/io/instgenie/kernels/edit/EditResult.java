package io.instgenie.kernels.edit;

/** An edited image (interleaved RGB, template size) and how it was made. */
public record EditResult(
    byte[] rgb,
    String templateId,
    double maskRatio,
    int steps,
    long seed,
    boolean cacheHit,
    long templateRunMs,
    long denoiseMs) {}
