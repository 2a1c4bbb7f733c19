package io.instgenie.cache;

import io.instgenie.kernels.cached.CacheKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The disk tier's file format, {@code <id>-<steps>.igc}, all little-endian:
 *
 * <pre>
 *   0  magic "IGCACHE\0"        8  version u32 (3)      12 precision u32 (1 F32, 2 BF16)
 *  16  steps u32  20 depth u32  24 tokens u32          28 hidden u32
 *  32  kind u32 (0 Y, 1 K/V)    36 SHA-256 of the file's template key ("id/steps"), 32 bytes
 *  68  segment table, step-major: per (step, block) offset u64, length u32, CRC32C u32
 *  68+16n  CRC32C u32 of bytes [0, 68+16n)
 *  then zero padding to a multiple of 4096; segments at their table offsets, L rows each (H values
 *  per row for Y, 2H for K/V)
 * </pre>
 *
 * The key's digest binds the file to its template: a sound file copied or renamed to another
 * template's name fails the header check instead of serving that template another's activations.
 * Versions 1 (Y) and 2 (K/V), written before the digest existed, do not name their template and are
 * refused like a corrupt file (the disk tier discards them; the next edit of their template runs it
 * again).
 *
 * <p>A segment is read with one positional read and checked against its own CRC, so an edit can
 * load block by block without touching the rest of the file. The first segment starts at a multiple
 * of 4096, and so does every segment when the segment size is a multiple of 4096 (the bundled
 * model's and the bench preset's are): those can be read past the page cache ({@link DirectIo}).
 */
final class IgcFile {
  static final byte[] MAGIC = "IGCACHE\0".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 3;
  private static final int FIXED = 68;
  private static final int DIGEST_AT = 36;
  private static final int ENTRY = 16;

  /** A parsed, checksum-verified header. */
  record Header(ActivationShape shape, long[] offsets, int[] crcs) {
    long fileBytes() {
      return offsets.length == 0
          ? headerBytes(shape)
          : offsets[offsets.length - 1] + shape.segmentBytes();
    }
  }

  private IgcFile() {}

  /** SHA-256 of the key as "id/steps": what binds a file to its template. */
  static byte[] keyDigest(TemplateKey key) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(key.toString().getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static int headerBytes(ActivationShape s) {
    int raw = FIXED + ENTRY * s.segments() + 4;
    return (raw + DirectIo.ALIGN - 1) / DirectIo.ALIGN * DirectIo.ALIGN;
  }

  /** The size of the file holding activations of this shape. */
  static long fileBytes(ActivationShape s) {
    return headerBytes(s) + s.totalBytes();
  }

  /**
   * Writes {@code acts} to a temp file in {@code target}'s folder, syncs it, renames it over {@code
   * target}.
   */
  static void writeAtomically(Path target, TemplateKey key, StoredActivations acts)
      throws IOException {
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        write(ch, key, acts);
        ch.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
      syncFolder(target.getParent());
    } finally {
      if (temp != null) Files.deleteIfExists(temp);
    }
  }

  private static void write(FileChannel ch, TemplateKey key, StoredActivations acts)
      throws IOException {
    ActivationShape s = acts.shape();
    int n = s.segments();
    int headLen = headerBytes(s);
    ByteBuffer head = ByteBuffer.allocate(headLen).order(ByteOrder.LITTLE_ENDIAN);
    head.put(MAGIC)
        .putInt(VERSION)
        .putInt(s.precision().code())
        .putInt(s.steps())
        .putInt(s.depth())
        .putInt(s.tokens())
        .putInt(s.hidden())
        .putInt(s.kind().ordinal())
        .put(keyDigest(key));
    long off = headLen;
    for (int k = 0; k < s.steps(); k++) {
      for (int b = 0; b < s.depth(); b++) {
        head.putLong(off).putInt(s.segmentBytes()).putInt(crc(acts.segment(k, b)));
        off += s.segmentBytes();
      }
    }
    CRC32C hc = new CRC32C();
    hc.update(head.array(), 0, FIXED + ENTRY * n);
    head.putInt((int) hc.getValue());
    head.clear();
    writeFully(ch, head, 0);
    off = headLen;
    for (int k = 0; k < s.steps(); k++) {
      for (int b = 0; b < s.depth(); b++) {
        writeFully(ch, acts.segment(k, b), off);
        off += s.segmentBytes();
      }
    }
  }

  /** Reads and verifies the header; the file's size must match it. */
  static Header readHeader(FileChannel ch, TemplateKey key) throws IOException {
    ByteBuffer fixed = ByteBuffer.allocate(FIXED).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, fixed, 0, key);
    byte[] magic = new byte[MAGIC.length];
    fixed.flip().get(magic);
    if (!Arrays.equals(magic, MAGIC))
      throw new CorruptSegmentException(key, "not an InstGenIE cache file (bad magic)");
    int version = fixed.getInt();
    if (version == 1 || version == 2)
      throw new CorruptSegmentException(
          key, "cache file version " + version + " does not name its template (written before 3)");
    if (version != VERSION)
      throw new CorruptSegmentException(
          key, "cache file version " + version + ", expected " + VERSION);
    int code = fixed.getInt();
    int steps = fixed.getInt();
    int depth = fixed.getInt();
    int tokens = fixed.getInt();
    int hidden = fixed.getInt();
    int k = fixed.getInt();
    if (k < 0 || k >= CacheKind.values().length)
      throw new CorruptSegmentException(key, "bad header: unknown cache kind " + k);
    CacheKind kind = CacheKind.values()[k];
    byte[] digest = new byte[32];
    fixed.position(DIGEST_AT);
    fixed.get(digest);
    ActivationShape shape;
    try {
      shape = new ActivationShape(steps, depth, tokens, hidden, Precision.ofCode(code), kind);
    } catch (IllegalArgumentException e) {
      throw new CorruptSegmentException(key, "bad header: " + e.getMessage());
    }
    if (steps != key.steps())
      throw new CorruptSegmentException(key, "header says " + steps + " steps");
    // the table's size from the header alone, checked against the file before it is allocated
    long entries = (long) steps * depth;
    if (FIXED + ENTRY * entries + 4 > ch.size())
      throw new CorruptSegmentException(
          key, "bad header: " + entries + " segments do not fit in " + ch.size() + " bytes");
    int n = (int) entries;
    ByteBuffer table = ByteBuffer.allocate(ENTRY * n + 4).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, table, FIXED, key);
    CRC32C hc = new CRC32C();
    hc.update(fixed.array(), 0, FIXED);
    hc.update(table.array(), 0, ENTRY * n);
    if ((int) hc.getValue() != table.getInt(ENTRY * n))
      throw new CorruptSegmentException(key, "header checksum mismatch");
    // checked after the checksum: a sound header of another template is a misplaced file
    if (!MessageDigest.isEqual(digest, keyDigest(key)))
      throw new CorruptSegmentException(
          key, "the file holds another template's activations (its header names another key)");
    long[] offsets = new long[n];
    int[] crcs = new int[n];
    for (int i = 0; i < n; i++) {
      offsets[i] = table.getLong(i * ENTRY);
      if (table.getInt(i * ENTRY + 8) != shape.segmentBytes())
        throw new CorruptSegmentException(key, "bad segment length");
      crcs[i] = table.getInt(i * ENTRY + 12);
    }
    Header h = new Header(shape, offsets, crcs);
    if (ch.size() != h.fileBytes()) {
      throw new CorruptSegmentException(
          key, "file is " + ch.size() + " bytes, its header says " + h.fileBytes());
    }
    return h;
  }

  /**
   * Whether segment (step, block) can be read into {@code dst[0 .. segmentBytes)} past the page
   * cache: its file offset, its length and the buffer's address all aligned ({@link DirectIo}).
   */
  static boolean directReadable(Header h, int step, int block, ByteBuffer dst) {
    ByteBuffer d = dst.duplicate().clear();
    return DirectIo.aligned(d, h.offsets()[h.shape().index(step, block)], h.shape().segmentBytes());
  }

  /**
   * Reads segment (step, block) through {@code ch} into {@code dst[0 .. segmentBytes)} and checks
   * its CRC32C.
   */
  static void readSegment(
      FileChannel ch, Header h, int step, int block, ByteBuffer dst, TemplateKey key)
      throws IOException {
    int i = h.shape().index(step, block);
    ByteBuffer d = dst.duplicate();
    d.clear().limit(h.shape().segmentBytes());
    readFully(ch, d, h.offsets()[i], key);
    d.flip();
    if (crc(d) != h.crcs()[i]) {
      throw new CorruptSegmentException(
          key, "checksum mismatch in segment (step " + step + ", block " + block + ")");
    }
  }

  private static int crc(ByteBuffer b) {
    CRC32C c = new CRC32C();
    c.update(b.duplicate());
    return (int) c.getValue();
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    ByteBuffer d = b.duplicate();
    while (d.hasRemaining()) at += ch.write(d, at);
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long at, TemplateKey key)
      throws IOException {
    while (b.hasRemaining()) {
      int r = ch.read(b, at);
      if (r < 0) throw new CorruptSegmentException(key, "file truncated at byte " + at);
      at += r;
    }
  }

  /**
   * Makes the rename durable; some file systems cannot open a folder, which only costs durability.
   */
  private static void syncFolder(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // the data itself is synced; a crash may at worst lose the rename, never expose a torn file
    }
  }
}
