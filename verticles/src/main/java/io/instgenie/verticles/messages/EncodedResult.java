package io.instgenie.verticles.messages;

/** A finished edit as PNG bytes, with its timings (post-processing included). */
public record EncodedResult(String id, byte[] png, Timings timings) {}
