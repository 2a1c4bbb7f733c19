package io.instgenie.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One open cache file: segments read by position, each checked against its CRC32C. A failed check
 * deletes the file (the next lookup misses) and throws {@link CorruptSegmentException}; a failed
 * read forgets the file the same way and throws {@link UncheckedIOException}. Reads from several
 * threads are safe; close it when the edit is done.
 */
public final class DiskTemplate implements SegmentSource {
  private final DiskTier tier;
  private final TemplateKey key;
  private final FileChannel channel;
  private final IgcFile.Header header;

  DiskTemplate(DiskTier tier, TemplateKey key, FileChannel channel, IgcFile.Header header) {
    this.tier = tier;
    this.key = key;
    this.channel = channel;
    this.header = header;
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
      IgcFile.readSegment(channel, header, step, block, dst, key);
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
    try {
      channel.close();
    } catch (IOException ignored) {
      // opened read-only: closing cannot lose data
    }
  }
}
