package io.instgenie.cache;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Disk reads that bypass the page cache (O_DIRECT): the device writes straight into the segment
 * buffer, so a cold read costs the loader thread about a fifth of the CPU time of a buffered read
 * (no page-cache pages to fill, no copy out of them) — CPU the compute threads of a small machine
 * would otherwise lose while Algorithm 1 overlaps loading with computing (BENCHMARKS.md, "Direct
 * reads"). The tier keeps its own memory cache of hot templates, so the page cache adds nothing
 * that is reliable. A direct read needs its file position, length and buffer address aligned to
 * {@link #ALIGN}: cache files place their segments there, and {@link #segmentBuffer} allocates so.
 * Where the file system refuses O_DIRECT (tmpfs, some overlays) reads stay buffered.
 */
public final class DirectIo {
  /** The alignment of segment offsets in cache files and of segment buffers. */
  public static final int ALIGN = 4096;

  private DirectIo() {}

  /**
   * A direct, little-endian buffer of exactly {@code bytes} whose address is a multiple of ALIGN.
   */
  public static ByteBuffer segmentBuffer(int bytes) {
    int rounded = (bytes + ALIGN - 1) / ALIGN * ALIGN;
    ByteBuffer raw = ByteBuffer.allocateDirect(rounded + ALIGN).alignedSlice(ALIGN);
    return raw.limit(bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * {@code file} opened for direct reads, or null where its file system does not allow them (or its
   * block size does not divide ALIGN).
   */
  static FileChannel openDirect(Path file) {
    try {
      long block = Files.getFileStore(file).getBlockSize();
      if (block <= 0 || ALIGN % block != 0) return null;
      return FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }

  /**
   * Whether {@code len} bytes at file position {@code at} into {@code dst} can be read directly.
   */
  static boolean aligned(ByteBuffer dst, long at, int len) {
    return dst.isDirect()
        && at % ALIGN == 0
        && len % ALIGN == 0
        && dst.alignmentOffset(dst.position(), ALIGN) == 0;
  }
}
