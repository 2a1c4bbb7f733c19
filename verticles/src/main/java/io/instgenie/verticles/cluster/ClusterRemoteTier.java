package io.instgenie.verticles.cluster;

import io.instgenie.cache.ActivationShape;
import io.instgenie.cache.SegmentSource;
import io.instgenie.cache.StoredActivations;
import io.instgenie.cache.TemplateKey;
import io.vertx.core.Vertx;
import java.util.Optional;

/**
 * The remote tier of a clustered node: a peer found in the template directory streams the segments
 * (see {@link PeerSegments}) when fetching them is estimated cheaper than the template run.
 */
public final class ClusterRemoteTier implements io.instgenie.cache.RemoteTier {
  private static final System.Logger LOG = System.getLogger(ClusterRemoteTier.class.getName());

  private final Vertx vertx;
  private final TemplateDirectory directory;
  private final RemoteCosts costs;

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

  @Override
  public Optional<SegmentSource> open(TemplateKey key) {
    for (TemplateDirectory.Holder h : directory.peers(key)) {
      ActivationShape shape = PeerSegments.shapeAt(vertx, h.node(), key);
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
