package io.instgenie.cache;

import java.util.Optional;

/**
 * The slot for "another node holds it" (DESIGN.md, clustering). NOT IMPLEMENTED YET: the only
 * implementation, {@link #ABSENT}, reports every template as absent; the cluster work (issue 7)
 * will back it with the shared map template id → {node → tier, bytes} and a node-to-node fetch.
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
}
