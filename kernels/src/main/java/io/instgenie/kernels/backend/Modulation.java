package io.instgenie.kernels.backend;

import io.instgenie.kernels.tensor.FloatBuf;

/**
 * The shift and scale of an adaLN modulation: two h-vectors of {@code buf}, from elements {@code
 * shiftOff} and {@code scaleOff}.
 */
public record Modulation(FloatBuf buf, long shiftOff, long scaleOff) {}
