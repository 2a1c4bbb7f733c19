package io.instgenie.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One open cache file: segments read by position, each checked against its CRC32C. A failed check
 * deletes the file (the next lookup misses) and throws {@link CorruptSegmentException}; a failed
 * read forgets the file the same way and throws {@link UncheckedIOException}. Aligned segments are
 * read past the page cache where the file system allows it ({@link DirectIo}); a direct read the
 * file system refuses after all is redone buffered, and the file stays buffered from then on. Reads
 * from several threads are safe; close it when the edit is done.
 */
public final class DiskTemplate implements SegmentSource {
  private final DiskTier tier;
  private final TemplateKey key;
  private final FileChannel channel;
  private final IgcFile.Header header;
  private volatile FileChannel direct;
  private final AtomicLong directReads = new AtomicLong();

  /** {@code direct}: the same file opened for direct reads, or null. */
  DiskTemplate(
      DiskTier tier,
      TemplateKey key,
      FileChannel channel,
      FileChannel direct,
      IgcFile.Header header) {
    this.tier = tier;
    this.key = key;
    this.channel = channel;
    this.direct = direct;
    this.header = header;
  }

  /** Whether aligned segments are read past the page cache. */
  public boolean directReads() {
    return direct != null;
  }

  /** Segments read past the page cache so far. */
  long directReadCount() {
    return directReads.get();
  }

  public TemplateKey key() {
    return key;
  }

  @Override
  public ActivationShape shape() {
    return header.shape();
  }

  @Override
  public TierKind tier() {
    return TierKind.DISK;
  }

  @Override
  public void read(int step, int block, ByteBuffer dst) {
    try {
      FileChannel d = direct;
      boolean viaDirect = d != null && IgcFile.directReadable(header, step, block, dst);
      try {
        IgcFile.readSegment(viaDirect ? d : channel, header, step, block, dst, key);
        if (viaDirect) directReads.incrementAndGet();
      } catch (IOException e) {
        if (!viaDirect) throw e;
        direct = null; // refused after all (an odd device or file system): buffered from now on
        closeQuietly(d);
        IgcFile.readSegment(channel, header, step, block, dst, key);
      }
    } catch (CorruptSegmentException e) {
      tier.discard(key);
      throw e;
    } catch (IOException e) {
      tier.lost(key, e);
      throw new UncheckedIOException("cannot read " + key.fileName() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    closeQuietly(direct);
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch == null) return;
    try {
      ch.close();
    } catch (IOException ignored) {
      // opened read-only: closing cannot lose data
    }
  }
}
