package io.instgenie.cli;

import io.instgenie.kernels.dit.DitModel;
import io.instgenie.verticles.ConfigLoader;
import io.instgenie.verticles.InstGenieService;
import io.instgenie.verticles.ServiceConfig;
import io.instgenie.verticles.cluster.ClusterSupport;
import io.instgenie.verticles.http.auth.KeysFile;
import io.instgenie.verticles.observe.LogSetup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code instgenie serve}: the HTTP service on one node, alone or as one node of a cluster. */
@Command(
    name = "serve",
    description = "Serve edits over HTTP (REST, SSE, WebSocket, OpenAI-style) until interrupted.")
final class ServeCommand implements Callable<Integer> {
  private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());

  @Option(names = "--port", description = "HTTP port (default 8080; 0 = any).")
  Integer port;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "JSON config file (keys in the README).")
  Path config;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Model folder (default: the bundled model).")
  Path model;

  @Option(names = "--batching", description = "continuous or static.")
  String batching;

  @Option(names = "--max-batch", description = "Requests per step per worker.")
  Integer maxBatch;

  @Option(
      names = "--mode",
      description = "instgenie or baseline (static batching, cache off, round-robin).")
  String mode;

  @Option(names = "--cache", description = "on or off (off: every edit recomputes every token).")
  String cache;

  @Option(
      names = "--routing",
      description = "cost, round-robin, fewest-requests or fewest-masked-tokens.")
  String routing;

  @Option(
      names = "--cluster",
      description = "Join a Hazelcast cluster of nodes (default: one node, no cluster).")
  boolean cluster;

  @Option(
      names = "--cluster-config",
      paramLabel = "FILE",
      description = "Hazelcast XML/YAML (cluster-config/README.md); implies --cluster.")
  Path clusterConfig;

  @Override
  public Integer call() throws Exception {
    Map<String, String> flags = new HashMap<>();
    if (port != null) flags.put("port", port.toString());
    if (model != null) flags.put("model_dir", model.toString());
    if (batching != null) flags.put("batching", batching);
    if (maxBatch != null) flags.put("max_batch", maxBatch.toString());
    if (mode != null) flags.put("mode", mode);
    if (cache != null) flags.put("cache", cache);
    if (routing != null) flags.put("routing", routing);
    if (cluster || clusterConfig != null) flags.put("cluster", "on");
    if (clusterConfig != null) flags.put("cluster_config", clusterConfig.toString());
    ServiceConfig c = ConfigLoader.load(config, System.getenv(), flags);
    LogSetup.apply(c.observability().logFormat());
    if (c.security().keysFile() != null) KeysFile.check(c.security().keysFile());
    DitModel m = c.modelDir() != null ? DitModel.load(c.modelDir()) : ModelOptions.defaultModel();
    Vertx vertx;
    InstGenieService service;
    if (c.cluster()) {
      String busHost = c.host().equals("0.0.0.0") ? null : c.host();
      ClusterSupport.Node node =
          ClusterSupport.start(ClusterSupport.load(c.clusterConfig()), busHost).await();
      vertx = node.vertx();
      service = started(vertx, () -> InstGenieService.start(vertx, c, m, node.manager()), c);
      LOG.log(Level.INFO, "joined the cluster as node " + service.nodeId());
    } else {
      vertx = Vertx.vertx();
      service = started(vertx, () -> InstGenieService.start(vertx, c, m), c);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    LOG.log(
        Level.INFO,
        "InstGenIE listening on http://"
            + c.host()
            + ":"
            + service.port()
            + " (mode "
            + c.mode().name().toLowerCase()
            + ": "
            + c.batching().name().toLowerCase()
            + " batching, cache "
            + (c.activationCache() ? "on" : "off")
            + ", routing "
            + c.routing().configName()
            + ", max batch "
            + c.maxBatch()
            + "); ready after warm-up at /health/ready");
    // SIGTERM drains (a second one ends what is left); POST /admin/drain does the same
    AtomicInteger terms = new AtomicInteger();
    InstGenieService drained = service;
    Signal.handle(
        new Signal("TERM"),
        sig -> {
          boolean first = terms.incrementAndGet() == 1;
          LOG.log(
              Level.INFO,
              first
                  ? "SIGTERM: draining (new edits get 503; queued and running edits finish)"
                  : "second SIGTERM: ending what is left");
          if (first) drained.drain();
          else drained.drainNow();
        });
    service.drained().onComplete(ar -> stopped.countDown());
    Thread onInterrupt =
        new Thread(
            () -> {
              vertx.close().await();
              stopped.countDown();
            });
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    stopped.await();
    if (service.drained().isComplete()) {
      try {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (IllegalStateException shuttingDown) {
        return 0; // interrupted during the drain: the hook closes Vert.x
      }
      long closing = System.currentTimeMillis();
      vertx.close().await(); // flushes the disk tier
      LOG.log(
          Level.INFO,
          "drained; exiting (closing took " + (System.currentTimeMillis() - closing) + " ms)");
    }
    return 0;
  }

  /**
   * The started service; a failed start closes Vert.x and says why, naming the setting for a port
   * in use or a host that does not resolve.
   */
  private static InstGenieService started(
      Vertx vertx, Supplier<Future<InstGenieService>> start, ServiceConfig c) {
    try {
      return start.get().await();
    } catch (Exception e) { // a failed listen arrives as the checked BindException itself
      vertx.close();
      throw listenProblem(e, c);
    }
  }

  private static RuntimeException listenProblem(Exception e, ServiceConfig c) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException)
        return new IllegalArgumentException(
            "cannot listen on " + c.host() + ":" + c.port() + " (host, port): " + t.getMessage(),
            e);
      if (t instanceof java.net.UnknownHostException)
        return new IllegalArgumentException(
            "host " + c.host() + " does not resolve (the host setting)", e);
    }
    return e instanceof RuntimeException r ? r : new IllegalStateException(e);
  }
}
