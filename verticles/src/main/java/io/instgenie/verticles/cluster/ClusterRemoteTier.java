package io.instgenie.verticles.cluster;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.SegmentSource;
import io.instgenie.cache.StoredActivations;
import io.instgenie.cache.TemplateKey;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The remote tier of a clustered node: a peer found in the template directory streams the segments
 * (see {@link PeerSegments}) when fetching them is estimated cheaper than the template run.
 */
public final class ClusterRemoteTier implements io.instgenie.cache.RemoteTier {
  private static final System.Logger LOG = System.getLogger(ClusterRemoteTier.class.getName());

  private final Vertx vertx;
  private final TemplateDirectory directory;
  private final RemoteCosts costs;

  /** Shape probes by "peer|template key", sent by {@link #prepare} and taken by {@link #open}. */
  private final ConcurrentHashMap<String, CompletableFuture<ActivationShape>> probes =
      new ConcurrentHashMap<>();

  /** Unclaimed probes kept at most (those of edits cancelled before they started). */
  private static final int MAX_PROBES = 1024;

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
  }

  @Override
  public Optional<String> holder(TemplateKey key) {
    return directory.peers(key).stream().findFirst().map(TemplateDirectory.Holder::node);
  }

  /** Sends the shape probe to the best peer holding the template; returns at once. */
  @Override
  public void prepare(TemplateKey key) {
    List<TemplateDirectory.Holder> peers = directory.peers(key);
    if (peers.isEmpty()) return;
    if (probes.size() >= MAX_PROBES) probes.clear();
    probe(peers.get(0).node(), key);
  }

  /** True while a probe for the template is out. */
  @Override
  public boolean preparing(TemplateKey key) {
    String suffix = "|" + key;
    for (var e : probes.entrySet())
      if (e.getKey().endsWith(suffix) && !e.getValue().isDone()) return true;
    return false;
  }

  private CompletableFuture<ActivationShape> probe(String peer, TemplateKey key) {
    return probes.computeIfAbsent(peer + "|" + key, k -> PeerSegments.probe(vertx, peer, key));
  }

  @Override
  public Optional<SegmentSource> open(TemplateKey key) {
    for (TemplateDirectory.Holder h : directory.peers(key)) {
      // a prepared probe has usually answered by now; otherwise this waits for it (bounded)
      ActivationShape shape = PeerSegments.await(probe(h.node(), key));
      probes.remove(h.node() + "|" + key);
      if (shape == null) continue;
      double fetch = costs.fetchMs(shape);
      double run = costs.templateRunMs(shape);
      if (fetch >= run) {
        LOG.log(
            System.Logger.Level.DEBUG,
            () ->
                String.format(
                    "template %s: a fetch from %s (%.1f ms) costs more than the run (%.1f ms)",
                    key, h.node(), fetch, run));
        return Optional.empty();
      }
      return Optional.of(new PeerSegments(vertx, h.node(), key, shape));
    }
    return Optional.empty();
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
