package io.instgenie.kernels.util;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The eviction policy of a byte-capped tier: keys with their sizes, least recently used evicted
 * first until a new key fits. Plain Java and not thread-safe (a tier calls it under its own lock or
 * from its one thread), so the memory tier, the GPU's device tier and the simulator's tiers share
 * it.
 */
public final class LruBytes<K> {
  private final long capacity;
  private final LinkedHashMap<K, Long> sizes = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private long evictions;

  public LruBytes(long capacityBytes) {
    if (capacityBytes < 0)
      throw new IllegalArgumentException("capacity must be >= 0, got " + capacityBytes);
    this.capacity = capacityBytes;
  }

  public boolean contains(K key) {
    return sizes.containsKey(key);
  }

  /** Marks the key most recently used; false when it is not held. */
  public boolean touch(K key) {
    return sizes.get(key) != null;
  }

  /**
   * Holds {@code key} as the most recently used, evicting the least recently used others until it
   * fits; a key held already is replaced (and not counted as evicted).
   *
   * @return the evicted keys, oldest first; null when refused (larger than the capacity)
   */
  public List<K> put(K key, long size) {
    return put(key, size, Set.of());
  }

  /**
   * As {@link #put(Object, long)}, but the keys in {@code keep} are never evicted; when the others
   * cannot make room, nothing is evicted and null is returned.
   */
  public List<K> put(K key, long size, Set<K> keep) {
    if (size < 0) throw new IllegalArgumentException("size must be >= 0, got " + size);
    if (size > capacity) return null;
    long kept = 0;
    for (Map.Entry<K, Long> e : sizes.entrySet()) {
      if (!e.getKey().equals(key) && keep.contains(e.getKey())) kept += e.getValue();
    }
    if (kept + size > capacity) return null;
    remove(key);
    List<K> evicted = new ArrayList<>();
    Iterator<Map.Entry<K, Long>> lru = sizes.entrySet().iterator();
    while (bytes + size > capacity) {
      Map.Entry<K, Long> e = lru.next();
      if (keep.contains(e.getKey())) continue;
      lru.remove();
      bytes -= e.getValue();
      evictions++;
      evicted.add(e.getKey());
    }
    sizes.put(key, size);
    bytes += size;
    return evicted;
  }

  /** Drops a key; false when it was not held. */
  public boolean remove(K key) {
    Long old = sizes.remove(key);
    if (old == null) return false;
    bytes -= old;
    return true;
  }

  public long bytes() {
    return bytes;
  }

  public long capacity() {
    return capacity;
  }

  /** Keys evicted to make room since creation. */
  public long evictions() {
    return evictions;
  }

  /** A copy of the keys, least recently used first. */
  public Set<K> keys() {
    return new LinkedHashSet<>(sizes.keySet());
  }

  public int size() {
    return sizes.size();
  }
}
