package io.instgenie.cache;

import java.nio.ByteBuffer;

/**
 * Where the (step, block) segments of one template can be read one at a time (memory or a disk
 * file).
 */
public interface SegmentSource extends AutoCloseable {
  ActivationShape shape();

  /** The tier the segments are read from (what Algorithm 1's Ld is fitted for). */
  default TierKind tier() {
    return TierKind.MEMORY;
  }

  /**
   * Copies segment (step, block) — L × H values in {@link ActivationShape#precision()},
   * little-endian — into {@code dst} from index 0; {@code dst} must hold segmentBytes.
   *
   * @throws CorruptSegmentException when the segment fails its checksum (the source is then
   *     discarded)
   */
  void read(int step, int block, ByteBuffer dst);

  /**
   * Segment (step, block) where the source already holds it in host memory — a private view,
   * position 0, little-endian, which readers never write through — or null when it has to be read.
   * A pipelined reader gathers such segments in place instead of copying them, as the service reads
   * a memory-tier template.
   */
  default ByteBuffer resident(int step, int block) {
    return null;
  }

  /** Releases files held open; a no-op for memory. */
  @Override
  default void close() {}
}
