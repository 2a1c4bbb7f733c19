package io.instgenie.cache;

import java.util.Optional;
import java.util.Set;

/** One level of the cache: a byte-capped store of template activations with LRU eviction. */
public interface Tier {
  /**
   * Told of every change in what a tier holds, so a registry mirrors it exactly. Calls run under
   * the tier's lock: record and return, never call back into a tier.
   */
  interface Listener {
    Listener NONE =
        new Listener() {
          @Override
          public void stored(TierKind tier, TemplateKey key, long bytes) {}

          @Override
          public void dropped(TierKind tier, TemplateKey key) {}
        };

    void stored(TierKind tier, TemplateKey key, long bytes);

    /** Gone: evicted for room, removed, found corrupt or unreadable, or the tier switched off. */
    void dropped(TierKind tier, TemplateKey key);

    /**
     * Stored bytes failed a checksum, whoever read them (a lookup, a prefetch or the pipelined
     * loader); the tier drops the template too.
     */
    default void corrupt(TierKind tier, TemplateKey key) {}
  }

  TierKind kind();

  boolean contains(TemplateKey key);

  /**
   * The template's activations in memory, marking it most recently used.
   *
   * @throws CorruptSegmentException when stored bytes fail a checksum; the tier has then dropped it
   */
  Optional<StoredActivations> get(TemplateKey key);

  /**
   * Stores a complete template, evicting least recently used ones; false when refused (larger than
   * the cap, or the tier is off).
   */
  boolean put(TemplateKey key, StoredActivations acts);

  /** Drops a template; false when it was not there. */
  boolean remove(TemplateKey key);

  /** Bytes charged to the templates held now. */
  long bytes();

  long capacity();

  /** Templates dropped to make room since start. */
  long evictions();

  /** A copy of the keys held, least recently used first. */
  Set<TemplateKey> keys();
}
