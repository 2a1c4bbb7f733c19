package io.instgenie.cache;

import java.nio.ByteBuffer;

/**
 * A remote template read through the pipelined loader that also keeps what it reads: once every
 * segment has come by, the copy goes into this node's memory tier (later edits read it locally).
 */
final class CopyingSource implements SegmentSource {
  private final SegmentSource src;
  private final MemoryTier memory;
  private final TemplateKey key;
  private final StoredActivations copy;

  CopyingSource(SegmentSource src, MemoryTier memory, TemplateKey key) {
    this.src = src;
    this.memory = memory;
    this.key = key;
    this.copy = StoredActivations.allocate(src.shape());
  }

  @Override
  public ActivationShape shape() {
    return src.shape();
  }

  @Override
  public TierKind tier() {
    return TierKind.REMOTE;
  }

  @Override
  public void read(int step, int block, ByteBuffer dst) {
    src.read(step, block, dst);
    copy.fill(step, block, dst);
  }

  @Override
  public void close() {
    src.close();
    if (copy.complete() && !memory.contains(key)) memory.put(key, copy);
  }
}
