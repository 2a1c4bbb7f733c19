package io.instgenie.verticles.cluster;

import io.instgenie.cache.SegmentSource;
import io.instgenie.cache.TemplateCache;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * Serves this node's cached segments to peers, a worker verticle (disk reads block): {id, steps,
 * step, block} → the segment's bytes; step -1 → the shape of the copy.
 */
public final class SegmentServerVerticle extends VerticleBase {
  private final String nodeId;
  private final List<TemplateCache> caches;

  public SegmentServerVerticle(String nodeId, List<TemplateCache> caches) {
    this.nodeId = nodeId;
    this.caches = caches;
  }

  @Override
  public Future<?> start() {
    return vertx
        .eventBus()
        .<JsonObject>consumer(Addresses.node(nodeId, "segment"), this::segment)
        .completion();
  }

  private void segment(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String id = q.getString("id");
    int steps = q.getInteger("steps");
    for (TemplateCache cache : caches) {
      Optional<SegmentSource> src = cache.peerSource(id, steps);
      if (src.isEmpty()) continue;
      try (SegmentSource s = src.get()) {
        if (q.getInteger("step") < 0) {
          msg.reply(JsonObject.mapFrom(s.shape()));
        } else {
          ByteBuffer buf =
              ByteBuffer.allocate(s.shape().segmentBytes()).order(ByteOrder.LITTLE_ENDIAN);
          s.read(q.getInteger("step"), q.getInteger("block"), buf);
          msg.reply(Buffer.buffer(buf.array()));
        }
        return;
      } catch (RuntimeException e) {
        msg.fail(ServiceException.NOT_FOUND, "cannot read template " + id + ": " + e.getMessage());
        return;
      }
    }
    msg.fail(ServiceException.NOT_FOUND, "template " + id + "/" + steps + " is not held here");
  }
}
