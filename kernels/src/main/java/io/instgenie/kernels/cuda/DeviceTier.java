package io.instgenie.kernels.cuda;

import io.instgenie.kernels.cached.BlockMode;
import io.instgenie.kernels.util.LruBytes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The device-memory tier of the GPU path: whole template steps (every block's Y_b) kept in device
 * memory, byte-capped, least recently used evicted first, so their cached rows are gathered with no
 * copy. Blocks fill in as forwards load them ({@link Entry#present}). The policy is {@link
 * LruBytes}, the memory tier's; memory comes from an {@link Allocator} so the bookkeeping is tested
 * without a device. Not thread-safe: the CUDA thread only.
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

  private final LruBytes<Object> lru;
  private final Allocator<M> alloc;
  private final Map<Object, Entry<M>> entries = new HashMap<>();
  private long hits;
  private long admissions;

  public DeviceTier(long capacityBytes, Allocator<M> alloc) {
    this.lru = new LruBytes<>(capacityBytes);
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
      lru.touch(key);
      return e;
    }
    List<Object> evicted = lru.put(key, size, keep);
    if (evicted == null) return null;
    for (Object old : evicted) alloc.free(entries.remove(old).memory);
    M m = alloc.allocate(size);
    if (m == null) {
      lru.remove(key);
      return null;
    }
    e = new Entry<>(m, size, blocks);
    entries.put(key, e);
    admissions++;
    return e;
  }

  /**
   * As {@link #acquire} for a forward with block plan {@code plan}, but only when some block uses
   * the cache: a forward that recomputes every block neither admits, evicts nor touches a step.
   */
  public Entry<M> acquireFor(Object key, long size, BlockMode[] plan, Set<Object> keep) {
    for (BlockMode m : plan) {
      if (m == BlockMode.CACHE) return acquire(key, size, plan.length, keep);
    }
    return null;
  }

  /** Frees every entry (the caller has made sure no work reads them). */
  public void clear() {
    for (Object key : List.copyOf(entries.keySet())) {
      lru.remove(key);
      alloc.free(entries.remove(key).memory);
    }
  }

  public boolean contains(Object key) {
    return entries.containsKey(key);
  }

  public long bytes() {
    return lru.bytes();
  }

  public long capacity() {
    return lru.capacity();
  }

  /** Acquisitions that found their step held. */
  public long hits() {
    return hits;
  }

  public long admissions() {
    return admissions;
  }

  public long evictions() {
    return lru.evictions();
  }

  public int size() {
    return entries.size();
  }
}
