package io.instgenie.verticles.messages;

import java.util.Map;

/** A finished edit as PNG bytes, with its timings (post-processing included). */
public record EncodedResult(String id, byte[] png, Map<String, Object> timings) {}
