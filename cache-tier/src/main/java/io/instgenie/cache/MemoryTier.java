package io.instgenie.cache;

import io.instgenie.kernels.util.LruBytes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Off-heap host memory, capped in bytes, least recently used evicted first. It never holds more
 * than its cap; an edit still reading an evicted template keeps its buffers alive until it ends.
 */
public final class MemoryTier implements Tier {
  private final Listener listener;
  private final LruBytes<TemplateKey> lru;
  private final Map<TemplateKey, StoredActivations> entries = new HashMap<>();

  public MemoryTier(long capacityBytes, Listener listener) {
    if (capacityBytes < 0)
      throw new IllegalArgumentException("memory capacity must be >= 0, got " + capacityBytes);
    this.lru = new LruBytes<>(capacityBytes);
    this.listener = listener == null ? Listener.NONE : listener;
  }

  @Override
  public TierKind kind() {
    return TierKind.MEMORY;
  }

  @Override
  public synchronized boolean contains(TemplateKey key) {
    return entries.containsKey(key);
  }

  @Override
  public synchronized Optional<StoredActivations> get(TemplateKey key) {
    lru.touch(key);
    return Optional.ofNullable(entries.get(key));
  }

  @Override
  public synchronized boolean put(TemplateKey key, StoredActivations acts) {
    if (!acts.complete())
      throw new IllegalArgumentException(key + ": only a complete template run can be cached");
    long size = acts.bytes();
    if (size > lru.capacity()) return false;
    remove(key);
    List<TemplateKey> evicted = lru.put(key, size);
    for (TemplateKey k : evicted) {
      entries.remove(k);
      listener.dropped(TierKind.MEMORY, k);
    }
    entries.put(key, acts);
    listener.stored(TierKind.MEMORY, key, size);
    return true;
  }

  @Override
  public synchronized boolean remove(TemplateKey key) {
    if (entries.remove(key) == null) return false;
    lru.remove(key);
    listener.dropped(TierKind.MEMORY, key);
    return true;
  }

  @Override
  public synchronized long bytes() {
    return lru.bytes();
  }

  @Override
  public long capacity() {
    return lru.capacity();
  }

  @Override
  public synchronized long evictions() {
    return lru.evictions();
  }

  @Override
  public synchronized Set<TemplateKey> keys() {
    return lru.keys();
  }
}
