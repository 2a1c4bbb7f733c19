package io.instgenie.cache;

import java.util.Optional;

/**
 * The slot for "another node holds it" (DESIGN.md, clustering). {@link #ABSENT} knows no other
 * node; the clustered service backs it with the cluster's template directory and a node-to-node
 * fetch of segments.
 */
public interface RemoteTier {
  /** Knows no other node: every template is absent. */
  RemoteTier ABSENT =
      new RemoteTier() {
        @Override
        public Optional<String> holder(TemplateKey key) {
          return Optional.empty();
        }

        @Override
        public Optional<StoredActivations> fetch(TemplateKey key) {
          return Optional.empty();
        }
      };

  /** A node that holds the template, if any (for routing: Algorithm 2 prices its load). */
  Optional<String> holder(TemplateKey key);

  /** Copies the template from a node that holds it; blocking, so never on an event loop. */
  Optional<StoredActivations> fetch(TemplateKey key);

  /**
   * The template's segments streamed from a node that holds it, read block by block (for the
   * pipelined loader); empty when no node does or when fetching is estimated slower than redoing
   * the template run. Each segment read blocks: never on an event loop.
   */
  default Optional<SegmentSource> open(TemplateKey key) {
    return Optional.empty();
  }

  /**
   * Starts, without blocking, what {@link #open} would otherwise wait for (asking a holder for its
   * copy's shape), so that an edit can stay queued meanwhile instead of stalling its batch.
   */
  default void prepare(TemplateKey key) {}

  /** True while something {@link #prepare} started for the template is still under way. */
  default boolean preparing(TemplateKey key) {
    return false;
  }
}
