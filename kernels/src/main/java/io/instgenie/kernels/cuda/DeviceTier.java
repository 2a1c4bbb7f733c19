package io.instgenie.kernels.cuda;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The device-memory tier of the GPU path: whole template steps (every block's Y_b) kept in device
 * memory, byte-capped, least recently used evicted first, so their cached rows are gathered with no
 * copy. Blocks fill in as forwards load them ({@link Entry#present}). The policy is that of the
 * cache tier's LruBytes, restated here because kernels depend on nothing of ours; memory comes from
 * an {@link Allocator} so the bookkeeping is tested without a device. Not thread-safe: the CUDA
 * thread only.
 */
public final class DeviceTier<M> {
  /** The system property capping the tier, in MiB (0 turns it off). */
  public static final String PROPERTY = "instgenie.cuda.device-tier-mib";

  /** Where the tier's memory comes from. {@code allocate} returns null when there is no room. */
  public interface Allocator<M> {
    M allocate(long bytes);

    void free(M memory);
  }

  /** One template step in device memory; block b is usable once {@code present[b]}. */
  public static final class Entry<M> {
    public final M memory;
    public final long bytes;
    public final boolean[] present;

    Entry(M memory, long bytes, int blocks) {
      this.memory = memory;
      this.bytes = bytes;
      this.present = new boolean[blocks];
    }
  }

  private final long capacity;
  private final Allocator<M> alloc;
  private final LinkedHashMap<Object, Entry<M>> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private long hits;
  private long admissions;
  private long evictions;

  public DeviceTier(long capacityBytes, Allocator<M> alloc) {
    if (capacityBytes < 0)
      throw new IllegalArgumentException("capacity must be >= 0, got " + capacityBytes);
    this.capacity = capacityBytes;
    this.alloc = alloc;
  }

  /** The cap from {@code -Dinstgenie.cuda.device-tier-mib}, 1024 MiB when unset. */
  public static long configuredBytes() {
    long mib = Long.parseLong(System.getProperty(PROPERTY, "1024").trim());
    if (mib < 0) throw new IllegalArgumentException(PROPERTY + " must be >= 0, got " + mib);
    return mib << 20;
  }

  /**
   * The entry for {@code key}, most recently used now; else a new empty one of {@code size} bytes,
   * evicting least recently used entries other than {@code keep}; null when it cannot fit.
   */
  public Entry<M> acquire(Object key, long size, int blocks, Set<Object> keep) {
    Entry<M> e = entries.get(key);
    if (e != null) {
      hits++;
      return e;
    }
    if (size > capacity) return null;
    Iterator<Map.Entry<Object, Entry<M>>> lru = entries.entrySet().iterator();
    while (bytes + size > capacity && lru.hasNext()) {
      Map.Entry<Object, Entry<M>> old = lru.next();
      if (keep.contains(old.getKey())) continue;
      lru.remove();
      bytes -= old.getValue().bytes;
      evictions++;
      alloc.free(old.getValue().memory);
    }
    if (bytes + size > capacity) return null;
    M m = alloc.allocate(size);
    if (m == null) return null;
    e = new Entry<>(m, size, blocks);
    entries.put(key, e);
    bytes += size;
    admissions++;
    return e;
  }

  public boolean contains(Object key) {
    return entries.containsKey(key);
  }

  public long bytes() {
    return bytes;
  }

  public long capacity() {
    return capacity;
  }

  /** Acquisitions that found their step held. */
  public long hits() {
    return hits;
  }

  public long admissions() {
    return admissions;
  }

  public long evictions() {
    return evictions;
  }

  public int size() {
    return entries.size();
  }
}
