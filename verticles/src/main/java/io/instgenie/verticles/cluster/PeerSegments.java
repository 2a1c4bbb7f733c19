package io.instgenie.verticles.cluster;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.CorruptSegmentException;
import io.instgenie.cache.SegmentSource;
import io.instgenie.cache.TemplateKey;
import io.instgenie.cache.TierKind;
import io.instgenie.verticles.messages.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A template's segments read from a peer over the event bus, one request per (step, block), a few
 * requested ahead in reading order so the transfer overlaps the loader's use of earlier blocks.
 * Reads block (the pipelined loader's thread, never an event loop).
 */
final class PeerSegments implements SegmentSource {
  /** Segments requested ahead of the one being read. */
  private static final int AHEAD = 4;

  private static final long TIMEOUT_MS = 10_000;

  /**
   * How long the shape probe may take. It is sent when an edit reaches its worker, and the edit
   * stays queued while it is out (the batch keeps stepping); a peer that does not answer this fast
   * is passed over.
   */
  static final long PROBE_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final String peer;
  private final TemplateKey key;
  private final ActivationShape shape;
  private final Map<Integer, CompletableFuture<Buffer>> inFlight = new HashMap<>();

  PeerSegments(Vertx vertx, String peer, TemplateKey key, ActivationShape shape) {
    this.vertx = vertx;
    this.peer = peer;
    this.key = key;
    this.shape = shape;
  }

  /**
   * The shape of the peer's copy, asked without blocking: completes with null when it no longer
   * holds it or does not answer within {@link #PROBE_TIMEOUT_MS}.
   */
  static CompletableFuture<ActivationShape> probe(Vertx vertx, String peer, TemplateKey key) {
    return request(vertx, peer, key, -1, -1, PROBE_TIMEOUT_MS)
        .handle(
            (reply, err) ->
                err != null ? null : ((JsonObject) reply.body()).mapTo(ActivationShape.class));
  }

  @Override
  public ActivationShape shape() {
    return shape;
  }

  @Override
  public TierKind tier() {
    return TierKind.REMOTE;
  }

  @Override
  public synchronized void read(int step, int block, ByteBuffer dst) {
    int index = shape.index(step, block);
    for (int i = index; i < Math.min(index + AHEAD + 1, shape.segments()); i++) {
      int s = i / shape.depth();
      int b = i % shape.depth();
      inFlight.computeIfAbsent(
          i, n -> request(vertx, peer, key, s, b, TIMEOUT_MS).thenApply(m -> (Buffer) m.body()));
    }
    Buffer got;
    try {
      got = inFlight.remove(index).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new CorruptSegmentException(
          key,
          "segment (step "
              + step
              + ", block "
              + block
              + ") from node "
              + peer
              + " did not arrive: "
              + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CorruptSegmentException(key, "interrupted while fetching from node " + peer);
    }
    if (got.length() != shape.segmentBytes())
      throw new CorruptSegmentException(
          key, "a segment from node " + peer + " has " + got.length() + " bytes");
    dst.put(0, ByteBuffer.wrap(got.getBytes()), 0, shape.segmentBytes());
  }

  @Override
  public synchronized void close() {
    inFlight.clear();
  }

  private static CompletableFuture<Message<Object>> request(
      Vertx vertx, String peer, TemplateKey key, int step, int block, long timeoutMs) {
    JsonObject q =
        new JsonObject()
            .put("id", key.id())
            .put("steps", key.steps())
            .put("step", step)
            .put("block", block);
    return vertx
        .eventBus()
        .request(
            Addresses.node(peer, "segment"), q, new DeliveryOptions().setSendTimeout(timeoutMs))
        .toCompletionStage()
        .toCompletableFuture();
  }
}
