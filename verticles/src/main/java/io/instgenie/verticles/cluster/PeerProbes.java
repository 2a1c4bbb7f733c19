package io.instgenie.verticles.cluster;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.TemplateKey;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Which peer can stream a template, asked without blocking: one question per template at a time,
 * the peers tried in the order given until one answers with its copy's shape, the answer kept for a
 * short while so that every queued edit of the template uses it. Thread-safe.
 */
final class PeerProbes {
  /** A peer that holds the template, and the shape of its copy. */
  record Found(String peer, ActivationShape shape) {}

  /** Asks one peer for the shape of its copy: null when it does not hold it. */
  interface Prober {
    CompletableFuture<ActivationShape> probe(String peer, TemplateKey key);
  }

  private record Question(CompletableFuture<Found> answer, long askedAtMs) {}

  private final Prober prober;
  private final LongSupplier clockMs;
  private final long keepMs;
  private final ConcurrentHashMap<TemplateKey, Question> questions = new ConcurrentHashMap<>();

  /**
   * @param keepMs how long an answer is reused from when its question was asked
   */
  PeerProbes(Prober prober, LongSupplier clockMs, long keepMs) {
    this.prober = prober;
    this.clockMs = clockMs;
    this.keepMs = keepMs;
  }

  /**
   * The answer for {@code key}: the pending or recent one, else a new question to {@code peers} in
   * order. Completes with null when none holds the template.
   */
  CompletableFuture<Found> ask(TemplateKey key, List<String> peers) {
    long now = clockMs.getAsLong();
    questions.values().removeIf(q -> q.answer().isDone() && now - q.askedAtMs() >= keepMs);
    return questions
        .compute(
            key,
            (k, q) ->
                q != null && (!q.answer().isDone() || now - q.askedAtMs() < keepMs)
                    ? q
                    : new Question(tryFrom(key, peers, 0), now))
        .answer();
  }

  /** True while the question about {@code key} has no answer yet. */
  boolean pending(TemplateKey key) {
    Question q = questions.get(key);
    return q != null && !q.answer().isDone();
  }

  private CompletableFuture<Found> tryFrom(TemplateKey key, List<String> peers, int i) {
    if (i >= peers.size()) return CompletableFuture.completedFuture(null);
    String peer = peers.get(i);
    return prober
        .probe(peer, key)
        .exceptionally(err -> null)
        .thenCompose(
            shape ->
                shape != null
                    ? CompletableFuture.completedFuture(new Found(peer, shape))
                    : tryFrom(key, peers, i + 1));
  }

  /** The answer, waiting at most {@code timeoutMs}: null when it does not come in time. */
  static Found await(CompletableFuture<Found> answer, long timeoutMs) {
    try {
      return answer.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
