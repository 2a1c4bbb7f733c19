package io.instgenie.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A folder of {@link IgcFile}s, one per template and step count, capped in bytes with least
 * recently used files evicted. It survives restarts: a new instance scans the folder and orders
 * what it finds by modification time, which every read refreshes. It never throws I/O errors at its
 * caller: a folder it cannot write to switches it off (memory only) with one WARNING.
 */
public final class DiskTier implements Tier {
  private static final System.Logger LOG = System.getLogger(DiskTier.class.getName());

  private final Path dir;
  private final long capacity;
  private final Listener listener;
  private final LinkedHashMap<TemplateKey, Long> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile boolean available;
  private long bytes;
  private long reserved;
  private long evictions;
  private long corrupt;
  private volatile String problem;

  /** The folder's {@link #LOCK_FILE}, locked while this tier is open; null when not held. */
  private FileChannel lock;

  /** Opens (creating it if needed) and scans {@code dir}; never throws for an unusable folder. */
  public DiskTier(Path dir, long capacityBytes, Listener listener) {
    if (capacityBytes < 0)
      throw new IllegalArgumentException("disk capacity must be >= 0, got " + capacityBytes);
    this.dir = dir.toAbsolutePath();
    this.capacity = capacityBytes;
    this.listener = listener == null ? Listener.NONE : listener;
    try {
      Files.createDirectories(this.dir);
      Files.deleteIfExists(Files.createTempFile(this.dir, ".probe.", ".tmp"));
      lock = lock(this.dir);
      synchronized (this) {
        DiskScan.scan(this.dir)
            .forEach(
                (key, size) -> {
                  entries.put(key, size);
                  bytes += size;
                  this.listener.stored(TierKind.DISK, key, size);
                });
        long before = evictions;
        evictToFit(0);
        if (evictions > before)
          LOG.log(
              System.Logger.Level.INFO,
              "evicted "
                  + (evictions - before)
                  + " cache files at start, the least recently used, to fit cache_disk_bytes ("
                  + capacity
                  + " bytes)");
      }
      available = true;
    } catch (IOException | UncheckedIOException | SecurityException e) {
      degrade("cannot use cache folder " + this.dir, e);
    }
  }

  @Override
  public TierKind kind() {
    return TierKind.DISK;
  }

  /** The file whose lock marks a folder as in use by a running tier. */
  static final String LOCK_FILE = ".lock";

  /**
   * Locks {@code dir}'s {@link #LOCK_FILE}, so that two services never share a folder (each would
   * evict and count the other's files); the OS releases it when the process ends, however it ends.
   * Null when this JVM already holds it: only tests open a folder twice (the service gives each
   * worker its own), and closing that second channel may, on Linux, release the JVM's lock too.
   */
  private static FileChannel lock(Path dir) throws IOException {
    FileChannel ch =
        FileChannel.open(
            dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      if (ch.tryLock() != null) return ch;
    } catch (OverlappingFileLockException sameJvm) {
      ch.close();
      return null;
    }
    ch.close();
    throw new IOException(dir + " is in use by another process (it holds " + LOCK_FILE + ")");
  }

  /** Releases the folder's lock; the files stay for the next start. */
  public void close() {
    FileChannel l;
    synchronized (this) {
      l = lock;
      lock = null;
    }
    if (l != null) closeQuietly(l);
  }

  public Path folder() {
    return dir;
  }

  /** False once the folder proved unusable: the cache then runs on memory only. */
  public boolean available() {
    return available;
  }

  /** Files dropped because a checksum or header failed. */
  public synchronized long corruptFiles() {
    return corrupt;
  }

  @Override
  public synchronized boolean contains(TemplateKey key) {
    return available && entries.containsKey(key);
  }

  @Override
  public Optional<StoredActivations> get(TemplateKey key) {
    try (DiskTemplate t = open(key).orElse(null)) {
      if (t == null) return Optional.empty();
      ActivationShape s = t.shape();
      StoredActivations acts = StoredActivations.allocate(s);
      ByteBuffer buf = DirectIo.segmentBuffer(s.segmentBytes());
      for (int k = 0; k < s.steps(); k++) {
        for (int b = 0; b < s.depth(); b++) {
          t.read(k, b, buf);
          acts.fill(k, b, buf);
        }
      }
      return Optional.of(acts);
    } catch (UncheckedIOException e) {
      lost(key, e.getCause());
      return Optional.empty();
    }
  }

  /**
   * The template's file, open for segment-by-segment reads (the pipelined loader), marking it most
   * recently used; empty when absent or unreadable.
   *
   * @throws CorruptSegmentException when its header fails its checksum; the file is then deleted
   */
  public Optional<DiskTemplate> open(TemplateKey key) {
    synchronized (this) {
      if (!available || entries.get(key) == null) return Optional.empty();
    }
    Path file = dir.resolve(key.fileName());
    FileChannel ch = null;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
      IgcFile.Header h = IgcFile.readHeader(ch, key);
      touch(file);
      return Optional.of(new DiskTemplate(this, key, ch, DirectIo.openDirect(file), h));
    } catch (CorruptSegmentException e) {
      closeQuietly(ch);
      discard(key);
      throw e;
    } catch (IOException e) {
      closeQuietly(ch);
      lost(key, e);
      return Optional.empty();
    }
  }

  /**
   * Writes {@code acts} to a scratch file of this folder and opens it for segment reads (the load
   * calibration). The file is outside the tier's entries and cap, named as the debris a restart
   * removes, and deleted when the source is closed. Empty when the tier is off or cannot write it.
   */
  Optional<SegmentSource> scratch(StoredActivations acts) {
    if (!available) return Optional.empty();
    TemplateKey key = new TemplateKey("calibration", acts.steps());
    Path file = null;
    FileChannel ch = null;
    try {
      file = Files.createTempFile(dir, ".calibration.", ".tmp");
      IgcFile.writeAtomically(file, key, acts);
      ch = FileChannel.open(file, StandardOpenOption.READ);
      IgcFile.Header h = IgcFile.readHeader(ch, key);
      DiskTemplate t = new DiskTemplate(this, key, ch, DirectIo.openDirect(file), h);
      Path written = file;
      return Optional.of(
          new SegmentSource() {
            @Override
            public ActivationShape shape() {
              return t.shape();
            }

            @Override
            public TierKind tier() {
              return TierKind.DISK;
            }

            @Override
            public void read(int step, int block, ByteBuffer dst) {
              t.read(step, block, dst);
            }

            @Override
            public void close() {
              t.close();
              deleteQuietly(written);
            }
          });
    } catch (IOException | UncheckedIOException | SecurityException | CorruptSegmentException e) {
      closeQuietly(ch);
      if (file != null) deleteQuietly(file);
      LOG.log(System.Logger.Level.WARNING, "cannot time reads in " + dir + ": " + e);
      return Optional.empty();
    }
  }

  @Override
  public boolean put(TemplateKey key, StoredActivations acts) {
    if (!acts.complete())
      throw new IllegalArgumentException(key + ": only a complete template run can be cached");
    long size = IgcFile.fileBytes(acts.shape());
    synchronized (this) {
      if (!available || size > capacity) return false;
      // ids name their content, so a file of the same size already holds these very activations
      if (entries.get(key) != null && entries.get(key) == size) return true;
      Long old = entries.remove(key);
      if (old != null) {
        bytes -= old;
        listener.dropped(TierKind.DISK, key);
        deleteQuietly(dir.resolve(key.fileName()));
      }
      evictToFit(size);
      reserved += size; // room for the temp file too, so the folder never passes the cap
    }
    try {
      IgcFile.writeAtomically(dir.resolve(key.fileName()), key, acts);
      synchronized (this) {
        reserved -= size;
        entries.put(key, size);
        bytes += size;
        listener.stored(TierKind.DISK, key, size);
      }
      return true;
    } catch (IOException | UncheckedIOException | SecurityException e) {
      synchronized (this) {
        reserved -= size;
      }
      degrade("cannot write " + key.fileName() + " in " + dir, e);
      return false;
    }
  }

  @Override
  public boolean remove(TemplateKey key) {
    synchronized (this) {
      Long old = entries.remove(key);
      if (old == null) return false;
      bytes -= old;
      listener.dropped(TierKind.DISK, key);
    }
    deleteQuietly(dir.resolve(key.fileName()));
    return true;
  }

  @Override
  public synchronized long bytes() {
    return bytes + reserved;
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public synchronized long evictions() {
    return evictions;
  }

  @Override
  public synchronized Set<TemplateKey> keys() {
    return available ? new LinkedHashSet<>(entries.keySet()) : Set.of();
  }

  /**
   * Drops a template whose bytes failed a checksum: the file is deleted so the next lookup misses.
   */
  void discard(TemplateKey key) {
    synchronized (this) {
      corrupt++;
      listener.corrupt(TierKind.DISK, key);
    }
    if (remove(key)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "discarded corrupt cache file " + key.fileName() + "; its template run will be redone");
    }
  }

  /** Frees room for {@code incoming} bytes, least recently used first. */
  private void evictToFit(long incoming) {
    Iterator<Map.Entry<TemplateKey, Long>> lru = entries.entrySet().iterator();
    while (bytes + reserved + incoming > capacity && lru.hasNext()) {
      Map.Entry<TemplateKey, Long> e = lru.next();
      lru.remove();
      bytes -= e.getValue();
      evictions++;
      deleteQuietly(dir.resolve(e.getKey().fileName()));
      listener.dropped(TierKind.DISK, e.getKey());
    }
  }

  /** A file that vanished or cannot be read is forgotten (a miss), never an error for the edit. */
  void lost(TemplateKey key, IOException e) {
    synchronized (this) {
      Long old = entries.remove(key);
      if (old != null) {
        bytes -= old;
        listener.dropped(TierKind.DISK, key);
      }
    }
    if (!(e instanceof NoSuchFileException)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot read cache file " + key.fileName() + ", treating it as absent: " + e);
    }
  }

  /** Why the tier switched itself off (the first reason), or null while it works. */
  public String problem() {
    return problem;
  }

  private void degrade(String what, Exception e) {
    synchronized (this) {
      available = false;
      if (problem == null) problem = what + ": " + e.getMessage();
      for (TemplateKey key : entries.keySet()) listener.dropped(TierKind.DISK, key);
      entries.clear();
      bytes = 0;
    }
    if (warned.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          what + " (" + e + "); the activation cache runs on memory only from now on");
    }
  }

  private static void touch(Path file) {
    try {
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException ignored) {
      // only the order of eviction after a restart depends on it
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot delete " + file + ": " + e);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch == null) return;
    try {
      ch.close();
    } catch (IOException ignored) {
      // read-only channel: nothing to lose
    }
  }
}
