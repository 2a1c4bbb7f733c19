package io.instgenie.verticles.cluster;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.RemoteTier;
import io.instgenie.cache.SegmentSource;
import io.instgenie.cache.StoredActivations;
import io.instgenie.cache.TemplateKey;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * The remote tier of a clustered node: a peer found in the template directory streams the segments
 * (see {@link PeerSegments}) when fetching them is estimated cheaper than the template run.
 */
public final class ClusterRemoteTier implements RemoteTier {
  private static final System.Logger LOG = System.getLogger(ClusterRemoteTier.class.getName());

  private final Vertx vertx;
  private final TemplateDirectory directory;
  private final RemoteCosts costs;

  /** How long a peer's answer about a template is reused by later edits of it. */
  private static final long KEEP_ANSWER_MS = 5_000;

  private final PeerProbes probes;

  /** What a fetch and a template run are estimated to cost, in ms. */
  public interface RemoteCosts {
    /** Fetching a template of this shape from a peer. */
    double fetchMs(ActivationShape shape);

    /** Redoing its template run here; NaN while the worker has not calibrated. */
    double templateRunMs(ActivationShape shape);
  }

  public ClusterRemoteTier(Vertx vertx, TemplateDirectory directory, RemoteCosts costs) {
    this.vertx = vertx;
    this.directory = directory;
    this.costs = costs;
    this.probes =
        new PeerProbes(
            (peer, key) -> PeerSegments.probe(vertx, peer, key),
            System::currentTimeMillis,
            KEEP_ANSWER_MS);
  }

  @Override
  public Optional<String> holder(TemplateKey key) {
    return directory.peers(key).stream().findFirst().map(TemplateDirectory.Holder::node);
  }

  /** Asks the peers holding the template, best first, which can stream it; returns at once. */
  @Override
  public void prepare(TemplateKey key) {
    List<String> peers = peers(key);
    if (peers.isEmpty()) return;
    try {
      probes.ask(key, peers);
    } catch (RuntimeException e) { // the event bus closing, say: the edit then runs the template
      LOG.log(System.Logger.Level.WARNING, "cannot ask the peers about template " + key, e);
    }
  }

  /** True while the peers' answer about the template is awaited. */
  @Override
  public boolean preparing(TemplateKey key) {
    return probes.pending(key);
  }

  @Override
  public Optional<SegmentSource> open(TemplateKey key) {
    List<String> peers = peers(key);
    if (peers.isEmpty()) return Optional.empty();
    // a prepared question has usually been answered by now; otherwise this waits (bounded)
    PeerProbes.Found found =
        PeerProbes.await(probes.ask(key, peers), PeerSegments.PROBE_TIMEOUT_MS);
    if (found == null) return Optional.empty();
    double fetch = costs.fetchMs(found.shape());
    double run = costs.templateRunMs(found.shape());
    if (fetch >= run) {
      LOG.log(
          System.Logger.Level.DEBUG,
          () ->
              String.format(
                  "template %s: a fetch from %s (%.1f ms) costs more than the run (%.1f ms)",
                  key, found.peer(), fetch, run));
      return Optional.empty();
    }
    return Optional.of(new PeerSegments(vertx, found.peer(), key, found.shape()));
  }

  private List<String> peers(TemplateKey key) {
    return directory.peers(key).stream().map(TemplateDirectory.Holder::node).toList();
  }

  /**
   * Whole copies are not made here: the step loop streams through {@link #open}, and the cache
   * keeps the streamed copy once every segment came by.
   */
  @Override
  public Optional<StoredActivations> fetch(TemplateKey key) {
    return Optional.empty();
  }
}
