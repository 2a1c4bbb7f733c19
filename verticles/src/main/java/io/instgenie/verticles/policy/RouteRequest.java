package io.instgenie.verticles.policy;

/**
 * What a router knows of a request: its template, the tokens it computes per step (masked tokens ×
 * guidance branches; every token when nothing is cached), its step count, the tokens of the
 * template run it needs where its worker lacks the template (0 when no template run is ever needed,
 * as with the activation cache off), and the (step, block) segments of cached activations it reads
 * (steps × depth; 0 with the cache off).
 */
public record RouteRequest(
    String templateId, int tokens, int steps, int templateRunTokens, int templateSegments) {
  public RouteRequest {
    if (tokens < 0 || steps < 1 || templateRunTokens < 0 || templateSegments < 0)
      throw new IllegalArgumentException(
          "route request: tokens, template-run tokens and segments must not be negative, steps"
              + " positive");
  }
}
