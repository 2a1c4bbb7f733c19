package io.instgenie.verticles.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.Precision;
import io.instgenie.cache.TemplateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One question per template, peers tried in order, answers reused for a while. */
class PeerProbesTest {
  private static final TemplateKey T = new TemplateKey("t", 4);
  private static final ActivationShape SHAPE = new ActivationShape(4, 2, 16, 8, Precision.F32);

  /** Probes answered by hand; every probe sent is logged as "peer". */
  private final Map<String, CompletableFuture<ActivationShape>> out = new LinkedHashMap<>();

  private final List<String> sent = new ArrayList<>();
  private final AtomicLong now = new AtomicLong(1000);
  private final PeerProbes probes =
      new PeerProbes(
          (peer, key) -> {
            sent.add(peer);
            return out.computeIfAbsent(peer, p -> new CompletableFuture<>());
          },
          now::get,
          5000);

  @Test
  void oneQuestionAtATimeAndTheAnswerIsShared() {
    CompletableFuture<PeerProbes.Found> first = probes.ask(T, List.of("a", "b"));
    assertTrue(probes.pending(T));
    assertSame(first, probes.ask(T, List.of("a", "b")), "a second edit waits on the same question");
    assertEquals(List.of("a"), sent);
    out.get("a").complete(SHAPE);
    assertFalse(probes.pending(T));
    assertEquals(new PeerProbes.Found("a", SHAPE), first.join());
    now.addAndGet(4999);
    assertSame(first, probes.ask(T, List.of("a", "b")), "reused while recent");
    assertEquals(List.of("a"), sent);
    now.addAndGet(1);
    out.clear();
    probes.ask(T, List.of("a", "b"));
    assertEquals(List.of("a", "a"), sent, "asked again once the answer is old");
  }

  @Test
  void peersAreTriedInOrderUntilOneHoldsIt() {
    CompletableFuture<PeerProbes.Found> answer = probes.ask(T, List.of("a", "b", "c"));
    out.get("a").complete(null); // evicted it meanwhile
    assertEquals(List.of("a", "b"), sent);
    assertTrue(probes.pending(T));
    out.get("b").completeExceptionally(new RuntimeException("no handler"));
    assertEquals(List.of("a", "b", "c"), sent);
    out.get("c").complete(SHAPE);
    assertEquals(new PeerProbes.Found("c", SHAPE), answer.join());
  }

  @Test
  void noHolderAnswersNullAndAwaitGivesUpInTime() {
    CompletableFuture<PeerProbes.Found> answer = probes.ask(T, List.of("a"));
    assertNull(PeerProbes.await(answer, 1), "no answer within the wait");
    out.get("a").complete(null);
    assertNull(PeerProbes.await(answer, 1));
    assertFalse(probes.pending(T));
  }
}
