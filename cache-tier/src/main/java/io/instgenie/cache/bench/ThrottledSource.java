package io.instgenie.cache.bench;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.SegmentSource;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * A segment source slowed to a fixed bandwidth: each read takes at least bytes / rate, waiting
 * without using the CPU, as a transfer from another node would. A stand-in for the remote tier (not
 * built yet), so the benchmark can show Algorithm 1 where loading is slower than compute.
 */
final class ThrottledSource implements SegmentSource {
  private final SegmentSource src;
  private final double nanosPerByte;

  /** {@code megabytesPerSecond} in 10⁶ bytes per second. */
  ThrottledSource(SegmentSource src, double megabytesPerSecond) {
    if (!(megabytesPerSecond > 0))
      throw new IllegalArgumentException("bandwidth must be positive, got " + megabytesPerSecond);
    this.src = src;
    this.nanosPerByte = 1e3 / megabytesPerSecond;
  }

  @Override
  public ActivationShape shape() {
    return src.shape();
  }

  @Override
  public void read(int step, int block, ByteBuffer dst) {
    long until = System.nanoTime() + (long) (nanosPerByte * src.shape().segmentBytes());
    src.read(step, block, dst);
    for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime())
      LockSupport.parkNanos(left);
  }

  @Override
  public void close() {
    src.close();
  }
}
