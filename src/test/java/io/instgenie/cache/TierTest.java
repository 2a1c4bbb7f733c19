package io.instgenie.cache;

import static io.instgenie.cache.CacheFixtures.allValues;
import static io.instgenie.cache.CacheFixtures.random;
import static io.instgenie.cache.CacheFixtures.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.cached.CacheKind;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TierTest {
  // tiny preset, 1 step: 2 blocks x 16 tokens x 32 values = 1024 values per template
  private static final ActivationShape ONE = shape(1, Precision.F32);
  private static final long T = ONE.totalBytes(); // 4096 bytes
  private static final long F = IgcFile.fileBytes(ONE); // 4096 + a 4096-byte header

  private static TemplateKey key(String id) {
    return new TemplateKey(id, 1);
  }

  private static long folderBytes(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  @DisplayName(
      "memory tier: least recently used goes first, the byte cap holds, an oversized template is refused")
  void memoryLru() {
    TemplateRegistry reg = new TemplateRegistry();
    MemoryTier m = new MemoryTier(3 * T, reg);
    for (String id : List.of("a", "b", "c")) assertTrue(m.put(key(id), random(ONE, id.hashCode())));
    assertEquals(3 * T, m.bytes());
    assertTrue(m.get(key("a")).isPresent()); // a is now the most recent: b is the eldest
    assertTrue(m.put(key("d"), random(ONE, 4)));
    assertEquals(List.of("c", "a", "d"), m.keys().stream().map(TemplateKey::id).toList());
    assertEquals(1, m.evictions());
    assertFalse(m.contains(key("b")));
    assertEquals(Optional.empty(), reg.tierOf(key("b")), "the registry saw the eviction");
    assertEquals(Optional.of(TierKind.MEMORY), reg.tierOf(key("a")));

    // 4 steps = 16 KiB > 12 KiB cap: refused, nothing evicted for it
    assertFalse(m.put(new TemplateKey("big", 4), random(shape(4, Precision.F32), 5)));
    assertEquals(3, m.keys().size());
    assertEquals(1, m.evictions());

    // a BF16 template (half the bytes) evicts exactly one F32 template, the eldest (c)
    assertTrue(m.put(key("e"), random(shape(1, Precision.BF16), 6)));
    assertEquals(List.of("a", "d", "e"), m.keys().stream().map(TemplateKey::id).toList());
    assertEquals(2 * T + T / 2, m.bytes());
    assertTrue(m.bytes() <= m.capacity());
    assertEquals(2, m.evictions());
  }

  @Test
  @DisplayName("memory tier refuses an unfinished template run")
  void memoryRefusesPartial() {
    MemoryTier m = new MemoryTier(10 * T, null);
    assertThrows(
        IllegalArgumentException.class, () -> m.put(key("p"), StoredActivations.allocate(ONE)));
  }

  @Test
  @DisplayName("disk tier: least recently used file deleted first, the folder never passes the cap")
  void diskLru(@TempDir Path dir) throws IOException {
    DiskTier d = new DiskTier(dir, 3 * F, null);
    assertTrue(d.available());
    for (String id : List.of("a", "b", "c")) assertTrue(d.put(key(id), random(ONE, id.hashCode())));
    assertEquals(3 * F, folderBytes(dir));
    assertTrue(d.get(key("a")).isPresent());
    assertTrue(d.put(key("d"), random(ONE, 4)));
    assertEquals(List.of("c", "a", "d"), d.keys().stream().map(TemplateKey::id).toList());
    assertFalse(Files.exists(dir.resolve("b-1.igc")), "evicted file deleted");
    assertEquals(1, d.evictions());
    assertEquals(3 * F, folderBytes(dir));
    assertFalse(
        d.put(new TemplateKey("big", 6), random(shape(6, Precision.F32), 5)),
        "larger than the cap: refused");
    assertEquals(3 * F, d.bytes());
    assertEquals(1, d.evictions());
  }

  @Test
  @DisplayName(
      "a restarted disk tier finds its files with equal values, ordered by last use, and enforces a smaller cap on the eldest")
  void diskRestart(@TempDir Path dir) throws IOException {
    StoredActivations a = random(ONE, 1);
    StoredActivations b = random(shape(1, Precision.BF16), 2);
    StoredActivations c = random(ONE, 3);
    DiskTier d = new DiskTier(dir, 10 * F, null);
    assertTrue(d.put(key("a"), a));
    assertTrue(d.put(key("b"), b));
    assertTrue(d.put(key("c"), c));
    // last use order: b (oldest), c, a
    Files.setLastModifiedTime(dir.resolve("b-1.igc"), FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(dir.resolve("c-1.igc"), FileTime.fromMillis(2_000_000));
    Files.setLastModifiedTime(dir.resolve("a-1.igc"), FileTime.fromMillis(3_000_000));
    Files.writeString(dir.resolve(".a-1.igc.123.tmp"), "a write a crash interrupted");

    DiskTier again = new DiskTier(dir, 10 * F, null);
    assertEquals(List.of("b", "c", "a"), again.keys().stream().map(TemplateKey::id).toList());
    assertFalse(Files.exists(dir.resolve(".a-1.igc.123.tmp")), "temp debris removed at start");
    assertArrayEquals(allValues(a, ONE), allValues(again.get(key("a")).orElseThrow(), ONE));
    StoredActivations b2 = again.get(key("b")).orElseThrow();
    assertEquals(Precision.BF16, b2.precision());
    assertArrayEquals(allValues(b, b.shape()), allValues(b2, b2.shape()));

    // the reads above refreshed a's and b's mtimes; put them back so b is the eldest again
    Files.setLastModifiedTime(dir.resolve("b-1.igc"), FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(dir.resolve("a-1.igc"), FileTime.fromMillis(3_000_000));
    DiskTier small = new DiskTier(dir, 2 * F, null); // room for two: b goes
    assertEquals(List.of("c", "a"), small.keys().stream().map(TemplateKey::id).toList());
    assertEquals(1, small.evictions());
    assertFalse(Files.exists(dir.resolve("b-1.igc")));
  }

  @Test
  @DisplayName(
      "a flipped byte in a segment is caught at read: the file is deleted and the next read misses")
  void diskFlippedSegmentByte(@TempDir Path dir) throws IOException {
    DiskTier d = new DiskTier(dir, 10 * F, null);
    d.put(key("a"), random(ONE, 1));
    flip(dir.resolve("a-1.igc"), IgcFile.headerBytes(ONE) + ONE.segmentBytes() + 77);
    CorruptSegmentException e = assertThrows(CorruptSegmentException.class, () -> d.get(key("a")));
    assertTrue(e.getMessage().contains("step 0, block 1"), e.getMessage());
    assertEquals(key("a"), e.key());
    assertFalse(Files.exists(dir.resolve("a-1.igc")));
    assertFalse(d.contains(key("a")));
    assertEquals(Optional.empty(), d.get(key("a")));
    assertEquals(1, d.corruptFiles());
    assertEquals(0, d.bytes());
  }

  @Test
  @DisplayName(
      "a header whose depth makes the segment table overflow is corrupt at read and dropped at the"
          + " next start, which goes on")
  void diskHeaderOverflow(@TempDir Path dir) throws IOException {
    DiskTier d = new DiskTier(dir, 10 * F, null);
    d.put(key("a"), random(ONE, 1));
    d.put(key("b"), random(ONE, 2));
    flip(dir.resolve("a-1.igc"), 23, 0x08); // depth + 2^27: 16 bytes a segment overflow an int
    assertThrows(CorruptSegmentException.class, () -> d.get(key("a")));
    assertFalse(Files.exists(dir.resolve("a-1.igc")));
    flip(dir.resolve("b-1.igc"), 23, 0x08);
    DiskTier again = new DiskTier(dir, 10 * F, null);
    assertTrue(again.keys().isEmpty());
    assertFalse(Files.exists(dir.resolve("b-1.igc")));
  }

  @Test
  @DisplayName("a flipped header byte is caught at read, and at the next start the file is dropped")
  void diskFlippedHeaderByte(@TempDir Path dir) throws IOException {
    DiskTier d = new DiskTier(dir, 10 * F, null);
    d.put(key("a"), random(ONE, 1));
    d.put(key("b"), random(ONE, 2));
    flip(dir.resolve("a-1.igc"), 20); // depth
    assertThrows(CorruptSegmentException.class, () -> d.get(key("a")));
    assertFalse(Files.exists(dir.resolve("a-1.igc")));
    flip(dir.resolve("b-1.igc"), 40); // a segment-table offset
    DiskTier again = new DiskTier(dir, 10 * F, null);
    assertTrue(again.keys().isEmpty());
    assertFalse(Files.exists(dir.resolve("b-1.igc")));
  }

  @Test
  @DisplayName(
      "a cache folder that cannot exist (its parent is a file) turns the disk tier off with one warning, never an exception")
  void diskUnusableFolder(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
    try (CacheFixtures.Captured log = new CacheFixtures.Captured(DiskTier.class)) {
      DiskTier d = new DiskTier(file.resolve("cache"), 10 * F, null);
      assertFalse(d.available());
      assertFalse(d.put(key("a"), random(ONE, 1)));
      assertEquals(Optional.empty(), d.get(key("a")));
      assertFalse(d.put(key("b"), random(ONE, 2)));
      assertEquals(1, log.warnings(), "exactly one warning");
    }
  }

  @Test
  @DisplayName(
      "a write that fails after start (the folder became a file) turns the disk tier off with one warning")
  void diskWriteFailure(@TempDir Path dir) throws IOException {
    Path cache = dir.resolve("cache");
    try (CacheFixtures.Captured log = new CacheFixtures.Captured(DiskTier.class)) {
      DiskTier d = new DiskTier(cache, 10 * F, null);
      assertTrue(d.put(key("a"), random(ONE, 1)));
      Files.delete(cache.resolve("a-1.igc"));
      Files.delete(cache.resolve(DiskTier.LOCK_FILE)); // held open: Linux deletes it all the same
      Files.delete(cache);
      Files.writeString(cache, "the disk is full, say");
      assertFalse(d.put(key("b"), random(ONE, 2)));
      assertFalse(d.available());
      assertFalse(d.put(key("c"), random(ONE, 3)));
      assertTrue(d.keys().isEmpty());
      assertEquals(0, d.bytes());
      assertEquals(1, log.warnings(), "exactly one warning");
    }
  }

  @Test
  @DisplayName(
      "segments start at multiples of 4096 and read back equal through the direct path (where the file system has one), a heap buffer and an unaligned buffer")
  void diskDirectReads(@TempDir Path dir) throws IOException {
    ActivationShape s = new ActivationShape(2, 2, 32, 32, Precision.F32, CacheKind.Y); // 4096 B
    StoredActivations acts = random(s, 9);
    DiskTier d = new DiskTier(dir, 100 * IgcFile.fileBytes(s), null);
    assertTrue(d.put(new TemplateKey("a", 2), acts));
    Path file = dir.resolve("a-2.igc");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (long off : IgcFile.readHeader(ch, new TemplateKey("a", 2)).offsets())
        assertEquals(0, off % DirectIo.ALIGN, "segment offset " + off);
    }
    FileChannel probe = DirectIo.openDirect(file);
    boolean fsAllowsDirect = probe != null;
    if (probe != null) probe.close();
    try (DiskTemplate t = d.open(new TemplateKey("a", 2)).orElseThrow()) {
      assertEquals(fsAllowsDirect, t.directReads());
      ByteBuffer aligned = DirectIo.segmentBuffer(s.segmentBytes());
      ByteBuffer heap = ByteBuffer.allocate(s.segmentBytes());
      ByteBuffer unaligned = DirectIo.segmentBuffer(s.segmentBytes() + 64);
      unaligned = unaligned.position(8).slice();
      for (int k = 0; k < s.steps(); k++) {
        for (int b = 0; b < s.depth(); b++) {
          ByteBuffer want = acts.segment(k, b);
          for (ByteBuffer dst : List.of(aligned, heap, unaligned)) {
            t.read(k, b, dst);
            assertEquals(want, dst.duplicate().clear().limit(s.segmentBytes()), k + "/" + b);
          }
        }
      }
      assertEquals(fsAllowsDirect, t.directReads(), "no direct read was refused");
      // the aligned buffer's reads (one per segment) went past the page cache, the others not
      assertEquals(fsAllowsDirect ? s.segments() : 0, t.directReadCount());
    }
  }

  @Test
  @DisplayName(
      "a sound file copied to another template's name is refused at start (its header names its"
          + " own key), and the original still reads back equal")
  void misplacedFileRefused(@TempDir Path dir) throws IOException {
    ActivationShape s = new ActivationShape(2, 2, 32, 32, Precision.F32, CacheKind.Y);
    StoredActivations acts = random(s, 10);
    DiskTier d = new DiskTier(dir, 100 * IgcFile.fileBytes(s), null);
    assertTrue(d.put(new TemplateKey("a", 2), acts));
    Files.copy(dir.resolve("a-2.igc"), dir.resolve("b-2.igc"));
    DiskTier again = new DiskTier(dir, 100 * IgcFile.fileBytes(s), null);
    assertTrue(again.get(new TemplateKey("b", 2)).isEmpty(), "b's name, a's activations");
    assertFalse(Files.exists(dir.resolve("b-2.igc")), "discarded by the start-up scan");
    assertArrayEquals(
        allValues(acts, s), allValues(again.get(new TemplateKey("a", 2)).orElseThrow(), s));
  }

  @Test
  @DisplayName(
      "files of the format's versions 1 and 2 (which did not name their template) are discarded at"
          + " start")
  void earlierVersionsDiscarded(@TempDir Path dir) throws IOException {
    ActivationShape s = new ActivationShape(2, 2, 32, 32, Precision.F32, CacheKind.Y);
    DiskTier d = new DiskTier(dir, 100 * IgcFile.fileBytes(s), null);
    assertTrue(d.put(new TemplateKey("a", 2), random(s, 10)));
    assertTrue(d.put(new TemplateKey("b", 2), random(s, 11)));
    for (String[] f : new String[][] {{"a-2.igc", "1"}, {"b-2.igc", "2"}}) {
      try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(f[0]).toFile(), "rw")) {
        raf.seek(8);
        raf.write(
            ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(Integer.parseInt(f[1]))
                .array());
      }
    }
    DiskTier again = new DiskTier(dir, 100 * IgcFile.fileBytes(s), null);
    assertTrue(again.get(new TemplateKey("a", 2)).isEmpty());
    assertTrue(again.get(new TemplateKey("b", 2)).isEmpty());
    assertFalse(Files.exists(dir.resolve("a-2.igc")), "discarded by the start-up scan");
    assertFalse(Files.exists(dir.resolve("b-2.igc")), "discarded by the start-up scan");
  }

  static void flip(Path file, long at) throws IOException {
    flip(file, at, 0x10);
  }

  /** XORs the byte at {@code at} with {@code bits}. */
  static void flip(Path file, long at, int bits) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int v = f.read();
      f.seek(at);
      f.write(v ^ bits);
    }
  }
}
