package io.instgenie.verticles;

import io.instgenie.cache.Calibration;
import io.instgenie.cache.CostModel;
import io.instgenie.cache.DeviceCalibration;
import io.instgenie.cache.LinearFit;
import io.instgenie.cache.TierKind;
import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.CudaBackend;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import io.instgenie.verticles.batching.LoopKeepAlive;
import io.instgenie.verticles.batching.LoopListener;
import io.instgenie.verticles.batching.LoopLoad;
import io.instgenie.verticles.batching.StepLoop;
import io.instgenie.verticles.batching.TemplateStore;
import io.instgenie.verticles.faults.Faults;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobResult;
import io.instgenie.verticles.messages.Timings;
import io.instgenie.verticles.messages.WorkerState;
import io.instgenie.verticles.metrics.ServiceHealth;
import io.instgenie.verticles.metrics.ServiceMetrics;
import io.instgenie.verticles.observe.EditTracing;
import io.instgenie.verticles.observe.EditTrail;
import io.instgenie.verticles.policy.StepPolicy;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One denoise worker per device (CPU = one). Its step loop owns a thread of its own (never an event
 * loop); the verticle only forwards tasks and cancellations to it and publishes what it reports:
 * job events, finished images (to post-processing), metrics and its load (to the balancer).
 */
public final class DenoiseWorkerVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(DenoiseWorkerVerticle.class.getName());

  /** Node-local deliveries skip the cluster's address lookup. */
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final int index;
  private final DitModel model;
  private final Backend backend;
  private final TemplateStore store;
  private final Settings settings;
  private final ServiceMetrics metrics;
  private final ServiceHealth health;
  private final Node node;
  private final Faults faults;

  /** Spans and log lines of the edits this worker runs. */
  private final EditTrail trail;

  private StepLoop loop;
  private Thread thread;
  private volatile double msPerToken = -1;

  /** Why the worker could not start; null while it starts or runs. */
  private volatile String startFailure;

  /** Fitted load time of one of the store's segments per tier (ms), for the balancer. */
  private volatile Map<TierKind, Double> msPerSegment = Map.of();

  /** How the worker batches. */
  public record Settings(
      int index,
      int maxBatch,
      boolean continuous,
      boolean useCache,
      StepPolicy policy,
      int maxStepTokens,
      int fullSteps,
      long keepAliveMs) {
    /** First come, first served, no row budget, no full steps, the default keep-alive. */
    public Settings(int index, int maxBatch, boolean continuous, boolean useCache) {
      this(
          index,
          maxBatch,
          continuous,
          useCache,
          StepPolicy.FCFS,
          0,
          0,
          LoopKeepAlive.DEFAULT_PERIOD_MS);
    }
  }

  /** The worker's node: alone ({@link #SINGLE}), or one of a cluster ({@link #clustered}). */
  public interface Node {
    /** Hears the compute fit and may add load fits of its own tiers to {@code loads}. */
    void fitted(LinearFit compute, Map<TierKind, LinearFit> loads, boolean useCache);

    /** Sends a load report to the balancers that route to this worker. */
    void report(EventBus bus, WorkerState state);

    /** True when an idle worker must report too (other nodes' balancers learn of it so). */
    boolean reportsWhenIdle();

    /** One node: reports go to its own balancer. */
    Node SINGLE =
        new Node() {
          @Override
          public void fitted(LinearFit compute, Map<TierKind, LinearFit> loads, boolean useCache) {}

          @Override
          public void report(EventBus bus, WorkerState state) {
            bus.send(Addresses.WORKER_STATE, state);
          }

          @Override
          public boolean reportsWhenIdle() {
            return false;
          }
        };

    /**
     * A clustered worker: its node id (on its reports, published to every node), the load fit of
     * the remote tier, and who hears of its compute fit (the remote tier's fetch-or-recompute
     * estimate).
     */
    static Node clustered(String nodeId, LinearFit remoteLoad, Consumer<LinearFit> computeFitted) {
      return new Node() {
        @Override
        public void fitted(LinearFit compute, Map<TierKind, LinearFit> loads, boolean useCache) {
          computeFitted.accept(compute);
          if (useCache) loads.put(TierKind.REMOTE, remoteLoad);
        }

        @Override
        public void report(EventBus bus, WorkerState state) {
          bus.publish(
              Addresses.WORKER_STATE, state, new DeliveryOptions().addHeader("node", nodeId));
        }

        @Override
        public boolean reportsWhenIdle() {
          return true;
        }
      };
    }
  }

  public DenoiseWorkerVerticle(
      Settings settings,
      DitModel model,
      Backend backend,
      TemplateStore store,
      ServiceMetrics metrics,
      ServiceHealth health,
      Node node,
      Faults faults,
      EditTracing tracing) {
    this.trail = new EditTrail(tracing);
    this.settings = settings;
    this.index = settings.index();
    this.model = model;
    this.backend = backend;
    this.store = store;
    this.metrics = metrics;
    this.health = health;
    this.node = node;
    this.faults = faults;
  }

  @Override
  public Future<?> start() {
    DitForward forward = new DitForward(model, backend);
    loop =
        new StepLoop(
            forward,
            store,
            new Reporter(vertx.eventBus()),
            settings.maxBatch(),
            settings.continuous(),
            settings.useCache(),
            faults,
            System::currentTimeMillis);
    loop.schedule(settings.policy(), settings.maxStepTokens());
    loop.fullSteps(settings.fullSteps());
    loop.keepAlive(settings.keepAliveMs());
    thread = new Thread(() -> startThenLoop(forward), "instgenie-step-loop-" + index);
    thread.setDaemon(true);
    EventBus bus = vertx.eventBus();
    // clustered, idle workers report too, so other nodes' balancers know them
    if (node.reportsWhenIdle())
      vertx.setPeriodic(
          500,
          id -> {
            if (startFailure == null) reportLoad(vertx.eventBus());
          });
    return Future.all(
            bus.<DenoiseTask>localConsumer(Addresses.worker(index), m -> take(m.body()))
                .completion(),
            bus.<String>consumer(Addresses.WORKER_CANCEL, m -> loop.cancel(m.body())).completion(),
            bus.<Void>localConsumer(Addresses.WORKER_HAND_BACK, m -> handBack()).completion())
        .onSuccess(v -> thread.start());
  }

  @Override
  public Future<?> stop() {
    loop.stop();
    return vertx.executeBlocking(
        () -> {
          thread.join(10_000);
          store.close();
          return null;
        });
  }

  /**
   * On the step-loop thread: warm-up and calibration, then the loop. A start-up that throws leaves
   * the worker failed: reported (log, readiness), the balancer told to stop choosing it, and the
   * tasks already routed to it routed again.
   */
  private void startThenLoop(DitForward forward) {
    try {
      faults.check(Faults.Point.WORKER_START);
      warmUp(forward);
      calibrate(forward);
    } catch (RuntimeException | Error e) {
      startFailure = "worker " + index + " failed to start: " + e;
      LOG.log(System.Logger.Level.ERROR, startFailure, e);
      health.workerFailed(index, startFailure);
      context.runOnContext(v -> abandon());
      return;
    }
    health.workerUp(index);
    loop.run();
  }

  /** A routed task: to the step loop, or back to the balancer when this worker failed. */
  private void take(DenoiseTask t) {
    if (startFailure == null) {
      trail.arrived(t);
      loop.submit(t);
    } else vertx.eventBus().send(Addresses.ROUTE, t, LOCAL);
  }

  /** The node drains in a cluster: queued tasks go back to the job table, to run elsewhere. */
  private void handBack() {
    EventBus bus = vertx.eventBus();
    loop.handBack(t -> bus.send(Addresses.JOB_HAND_BACK, t, LOCAL));
  }

  /** After a failed start: the balancer stops choosing this worker; its tasks are routed again. */
  private void abandon() {
    EventBus bus = vertx.eventBus();
    bus.send(Addresses.WORKER_FAILED, index, LOCAL);
    for (DenoiseTask t : loop.takeQueued()) {
      trail.left(t.id());
      bus.send(Addresses.ROUTE, t, LOCAL);
    }
  }

  /**
   * Two forwards (full and masked shapes) so the first request does not pay JIT and buffer growth.
   */
  private static void warmUp(DitForward f) {
    ModelConfig c = f.config();
    float[] x = Noise.gaussian(1, c.imageTokens() * c.patchDim());
    for (int i = 0; i < 2; i++) {
      f.run(
          List.of(
              Sequence.full(
                  0.5f, Prompts.nullPrompt(c), x, c.imageTokens(), new float[x.length], null)),
          null);
    }
  }

  /**
   * Fits Algorithm 1's costs on this machine, now: compute time per block against FLOPs (Cw, Cf),
   * and load time per segment against bytes for each tier of the store (Ld); logs and publishes
   * every fit and hands them to the step loop.
   */
  private void calibrate(DitForward forward) {
    CudaBackend cuda = forward.backend() instanceof CudaBackend b ? b : null;
    LinearFit compute =
        cuda == null
            ? Calibration.compute(forward, 3)
            : DeviceCalibration.compute(forward, cuda, 3);
    report("compute", "compute per block", compute, 1e9, "gflop");
    Map<TierKind, LinearFit> loads = new EnumMap<>(TierKind.class);
    if (settings.useCache()) loads.putAll(store.calibrateLoad(3));
    if (settings.useCache() && cuda != null) {
      // on the GPU path every host tier's block then crosses PCIe from pinned memory
      LinearFit pcie = DeviceCalibration.pcie(cuda, forward.config(), 3);
      report("load_pcie", "pinned host to device per block", pcie, 1 << 20, "mib");
      loads = new EnumMap<>(DeviceCalibration.overPcie(loads, pcie));
    }
    node.fitted(compute, loads, settings.useCache());
    for (Map.Entry<TierKind, LinearFit> e : loads.entrySet()) {
      String tier = e.getKey().name().toLowerCase(Locale.ROOT);
      report("load_" + tier, "load per segment from " + tier, e.getValue(), 1 << 20, "mib");
    }
    loop.useCosts(new CostModel(compute, loads));
    int segmentBytes = store.segmentBytes();
    Map<TierKind, Double> perSegment = new EnumMap<>(TierKind.class);
    if (segmentBytes > 0)
      for (Map.Entry<TierKind, LinearFit> e : loads.entrySet())
        perSegment.put(e.getKey(), Math.max(0, e.getValue().predict(segmentBytes)));
    msPerSegment = perSegment;
  }

  /** Below this R² a calibration fit is logged as a warning. */
  static final double POOR_FIT_R2 = 0.5;

  /**
   * One fit to the log and to /metrics, its slope in ms per {@code unit}: {@code scale} units of
   * the fit's x (FLOPs or bytes) make one.
   */
  private void report(String fit, String what, LinearFit f, double scale, String unit) {
    // a poor fit (the machine was busy while it was timed) skews the estimates built on it: said
    // as a warning, so an operator knows why they may be off
    boolean poor = f.r2() < POOR_FIT_R2;
    LOG.log(
        poor ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
        String.format(
                Locale.ROOT,
                "worker %d calibration: %s %.4f ms + %.4f ms/%s (R² %.4f, %d points)",
                index,
                what,
                f.a(),
                f.b() * scale,
                unit.equals("mib") ? "MiB" : "GFLOP",
                f.r2(),
                f.samples())
            + (poor
                ? "; a poor fit (was the machine busy?): the cost estimates built on it may be off"
                : ""));
    metrics.calibration(index, fit, f.a(), f.b() * scale, unit, f.r2());
  }

  /** The load report: to this node's balancer, or clustered to every node's. */
  private void reportLoad(EventBus bus) {
    LoopLoad load = loop.load();
    WorkerState state =
        new WorkerState(
            index,
            load.running(),
            load.queued(),
            settings.maxBatch(),
            Math.max(msPerToken, 0),
            store.held(),
            msPerSegment,
            load.forecast());
    node.report(bus, state);
  }

  /** Hands the loop's reports to the event bus and the metrics; runs on the step-loop thread. */
  private final class Reporter implements LoopListener {
    private final EventBus bus;

    Reporter(EventBus bus) {
      this.bus = bus;
    }

    @Override
    public void event(JobEvent event) {
      trail.event(event);
      bus.send(Addresses.JOB_EVENT, event, LOCAL);
    }

    @Override
    public void finished(String id, RgbImage image, Timings timings) {
      bus.send(
          Addresses.ENCODE,
          new JobResult(id, image, timings),
          EditTracing.carry(trail.finished(id), new DeliveryOptions()));
    }

    @Override
    public void stepDone(int members, int sequences, double stepMs, double kernelMs) {
      metrics.step(members, sequences, stepMs, kernelMs);
      // the rows the step computed: a preempted member costs it nothing
      int tokens = loop.load().lastStepRows();
      if (tokens > 0)
        msPerToken = msPerToken < 0 ? stepMs / tokens : 0.8 * msPerToken + 0.2 * stepMs / tokens;
      reportLoad(bus);
    }

    @Override
    public void templateLookup(boolean hit) {
      metrics.templateLookup(hit);
    }

    @Override
    public void blockModes(TierKind slowest, int cached, int recomputed) {
      metrics.blockModes(slowest, cached, recomputed);
    }
  }
}
