package io.instgenie.cache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Drops Linux's clean page cache ({@code echo 1 > /proc/sys/vm/drop_caches}, root only) so that
 * disk-tier reads come from the device and not from memory. The cache files are written with fsync,
 * so their pages are clean and dropping them needs no {@code sync}. Where dropping is not allowed
 * it says so once and the benchmark reports disk reads as possibly warm.
 */
final class PageCache {
  private static final Path DROP = Path.of("/proc/sys/vm/drop_caches");

  /** Longer than the largest readahead window (8 MiB here) takes to arrive from the disk. */
  private static final long SETTLE_MS = 30;

  private final boolean enabled;
  private int dropped;
  private String failure;

  /** {@code enabled} false: never try (the reads are then page-cache reads after the first). */
  PageCache(boolean enabled) {
    this.enabled = enabled;
  }

  /** Drops the page cache; false when that is off or not permitted here. */
  boolean drop() {
    if (!enabled || failure != null) return false;
    try {
      Files.writeString(DROP, "1\n");
      dropped++;
      return true;
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      failure = e.toString();
      return false;
    }
  }

  /**
   * Waits {@link #SETTLE_MS} for readahead that the previous reads started to finish, then drops:
   * every disk measurement then starts alike, cold and with no read of another still in flight.
   */
  boolean settleAndDrop() {
    if (!enabled || failure != null) return false;
    try {
      Thread.sleep(SETTLE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return drop();
  }

  /** Whether every drop asked for so far happened. */
  boolean effective() {
    return enabled && failure == null && dropped > 0;
  }

  /** One line for the report: what the disk-tier numbers mean. */
  String describe() {
    if (!enabled)
      return "page cache kept (--no-drop-caches): disk reads after the first may come from memory";
    if (failure != null) {
      return "page cache NOT dropped ("
          + DROP
          + " not writable: "
          + failure
          + "): disk reads may come from memory";
    }
    return "page cache dropped ("
        + DROP
        + ") before each disk measurement ("
        + dropped
        + " drops): disk reads are cold";
  }
}
