package io.instgenie.verticles.messages;

import io.instgenie.kernels.io.RgbImage;

/** A finished edit's pixels and timings, on its way through post-processing to the job table. */
public record JobResult(String id, RgbImage image, Timings timings) {}
