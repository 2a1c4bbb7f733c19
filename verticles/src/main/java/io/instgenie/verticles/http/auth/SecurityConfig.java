package io.instgenie.verticles.http.auth;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The settings of API keys, webhooks and result URLs: the keys file (null: the service runs open),
 * the host patterns webhooks may go to (empty: none), the service's webhook secret (null: only keys
 * with their own may ask for webhooks), how long a webhook is retried, and the secret (null: random
 * per process) and lifetime of result URLs.
 */
public record SecurityConfig(
    Path keysFile,
    List<String> webhookAllow,
    String webhookSecret,
    long webhookRetryMs,
    String resultUrlSecret,
    long resultUrlTtlSeconds) {
  public SecurityConfig {
    webhookAllow = List.copyOf(Objects.requireNonNull(webhookAllow, "webhookAllow"));
  }

  /** Splits {@code webhook_allow}: host patterns separated by commas or spaces. */
  public static List<String> patterns(String allow) {
    if (allow == null || allow.isBlank()) return List.of();
    return List.of(allow.trim().toLowerCase(Locale.ROOT).split("[,\\s]+"));
  }
}
