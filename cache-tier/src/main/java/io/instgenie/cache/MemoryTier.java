package io.instgenie.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Off-heap host memory, capped in bytes, least recently used evicted first. It never holds more
 * than its cap; an edit still reading an evicted template keeps its buffers alive until it ends.
 */
public final class MemoryTier implements Tier {
  private final long capacity;
  private final Listener listener;
  private final LinkedHashMap<TemplateKey, StoredActivations> entries =
      new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private long evictions;

  public MemoryTier(long capacityBytes, Listener listener) {
    if (capacityBytes < 0)
      throw new IllegalArgumentException("memory capacity must be >= 0, got " + capacityBytes);
    this.capacity = capacityBytes;
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
    return Optional.ofNullable(entries.get(key));
  }

  @Override
  public synchronized boolean put(TemplateKey key, StoredActivations acts) {
    if (!acts.complete())
      throw new IllegalArgumentException(key + ": only a complete template run can be cached");
    long size = acts.bytes();
    if (size > capacity) return false;
    remove(key);
    Iterator<Map.Entry<TemplateKey, StoredActivations>> lru = entries.entrySet().iterator();
    while (bytes + size > capacity) {
      Map.Entry<TemplateKey, StoredActivations> e = lru.next();
      long freed = e.getValue().bytes();
      lru.remove();
      bytes -= freed;
      evictions++;
      listener.dropped(TierKind.MEMORY, e.getKey());
    }
    entries.put(key, acts);
    bytes += size;
    listener.stored(TierKind.MEMORY, key, size);
    return true;
  }

  @Override
  public synchronized boolean remove(TemplateKey key) {
    StoredActivations old = entries.remove(key);
    if (old == null) return false;
    bytes -= old.bytes();
    listener.dropped(TierKind.MEMORY, key);
    return true;
  }

  @Override
  public synchronized long bytes() {
    return bytes;
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
    return new LinkedHashSet<>(entries.keySet());
  }
}
