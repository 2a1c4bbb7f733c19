package io.instgenie.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Which tiers hold each template (with its bytes and last use), and the cache's counters. Tiers
 * report what they store and drop here, under their own locks, so this class never calls a tier
 * while holding its own lock.
 */
public final class TemplateRegistry implements Tier.Listener {
  /**
   * One template: the tiers holding it, its bytes in the tier that last stored it, its last use
   * (epoch ms).
   */
  public record Entry(TemplateKey key, Set<TierKind> tiers, long bytes, long lastUseMillis) {
    public Entry {
      tiers = Collections.unmodifiableSet(EnumSet.copyOf(tiers));
    }

    /** The fastest tier holding it: where a load would come from. */
    public TierKind fastest() {
      return tiers.iterator().next();
    }
  }

  private final Map<TemplateKey, Entry> entries = new HashMap<>();
  private volatile BiConsumer<TemplateKey, Optional<Entry>> observer = (k, e) -> {};

  /**
   * Told of every change of a template's entry (empty: no tier holds it any more), under this
   * registry's lock: record and return (the cluster's template directory mirrors this way).
   */
  public void observe(BiConsumer<TemplateKey, Optional<Entry>> observer) {
    this.observer = observer;
  }

  private final Map<TierKind, LongAdder> hits = counters();
  private final Map<TierKind, LongAdder> misses = counters();
  private final LongAdder prefetches = new LongAdder();
  private final LongAdder corrupt = new LongAdder();
  private final LongAdder uncached = new LongAdder();
  private final LongAdder bubbleNanos = new LongAdder();

  private static Map<TierKind, LongAdder> counters() {
    Map<TierKind, LongAdder> m = new EnumMap<>(TierKind.class);
    for (TierKind k : TierKind.values()) m.put(k, new LongAdder());
    return m;
  }

  /** The fastest tier holding the template on this node, if any. */
  public synchronized Optional<TierKind> tierOf(TemplateKey key) {
    return Optional.ofNullable(entries.get(key)).map(Entry::fastest);
  }

  public synchronized Optional<Entry> entry(TemplateKey key) {
    return Optional.ofNullable(entries.get(key));
  }

  /** Every template held, most recently used first. */
  public synchronized List<Entry> entries() {
    List<Entry> out = new ArrayList<>(entries.values());
    out.sort((a, b) -> Long.compare(b.lastUseMillis(), a.lastUseMillis()));
    return out;
  }

  @Override
  public synchronized void stored(TierKind tier, TemplateKey key, long bytes) {
    Entry old = entries.get(key);
    EnumSet<TierKind> tiers =
        old == null ? EnumSet.noneOf(TierKind.class) : EnumSet.copyOf(old.tiers());
    tiers.add(tier);
    Entry e = new Entry(key, tiers, bytes, System.currentTimeMillis());
    entries.put(key, e);
    observer.accept(key, Optional.of(e));
  }

  @Override
  public synchronized void dropped(TierKind tier, TemplateKey key) {
    Entry old = entries.get(key);
    if (old == null || !old.tiers().contains(tier)) return;
    if (old.tiers().size() == 1) {
      entries.remove(key);
      observer.accept(key, Optional.empty());
      return;
    }
    EnumSet<TierKind> tiers = EnumSet.copyOf(old.tiers());
    tiers.remove(tier);
    Entry e = new Entry(key, tiers, old.bytes(), old.lastUseMillis());
    entries.put(key, e);
    observer.accept(key, Optional.of(e));
  }

  synchronized void used(TemplateKey key) {
    Entry old = entries.get(key);
    if (old != null)
      entries.put(key, new Entry(key, old.tiers(), old.bytes(), System.currentTimeMillis()));
  }

  void hit(TierKind tier) {
    hits.get(tier).increment();
  }

  void miss(TierKind tier) {
    misses.get(tier).increment();
  }

  void prefetched() {
    prefetches.increment();
  }

  @Override
  public void corrupt(TierKind tier, TemplateKey key) {
    corrupt.increment();
  }

  /** A finished template run that no tier would take (larger than every cap, disk off). */
  void uncached() {
    uncached.increment();
  }

  void bubble(long nanos) {
    bubbleNanos.add(nanos);
  }

  /** Counters from here, bytes, capacities and evictions from the tiers. */
  public CacheStats snapshot(List<Tier> tiers, boolean diskAvailable) {
    Map<TierKind, CacheStats.TierStats> per = new EnumMap<>(TierKind.class);
    Map<TierKind, Integer> counts = new EnumMap<>(TierKind.class);
    int templates;
    synchronized (this) {
      templates = entries.size();
      for (Entry e : entries.values())
        for (TierKind k : e.tiers()) counts.merge(k, 1, Integer::sum);
    }
    for (Tier t : tiers) {
      TierKind k = t.kind();
      per.put(
          k,
          new CacheStats.TierStats(
              hits.get(k).sum(),
              misses.get(k).sum(),
              t.bytes(),
              t.capacity(),
              t.evictions(),
              counts.getOrDefault(k, 0)));
    }
    for (TierKind k : TierKind.values()) {
      if (!per.containsKey(k) && (hits.get(k).sum() > 0 || misses.get(k).sum() > 0)) {
        per.put(
            k,
            new CacheStats.TierStats(
                hits.get(k).sum(), misses.get(k).sum(), 0, 0, 0, counts.getOrDefault(k, 0)));
      }
    }
    return new CacheStats(
        per,
        templates,
        prefetches.sum(),
        corrupt.sum(),
        uncached.sum(),
        bubbleNanos.sum(),
        diskAvailable);
  }
}
