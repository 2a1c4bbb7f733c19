package io.instgenie.kernels.train;

import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.io.TensorData;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import io.instgenie.kernels.tensor.FloatBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Rectified-flow training of an instgenie-dit/1 model (DESIGN.md "Sampler"): x_t = (1 − t)·x₀ + t·ε
 * with t ~ U(0, 1), the model regresses v = ε − x₀ under mean squared error; captions are dropped
 * to the null prompt with a set probability so that classifier-free guidance works; AdamW with
 * warm-up and cosine decay, global-norm gradient clipping, and an EMA of the weights (the EMA is
 * what ships). The batch is split across threads, each with its own activations and gradients,
 * summed in a fixed order: a run is a function of its configs, its data and the thread count.
 */
public final class Trainer implements AutoCloseable {
  /** A training image ([C, S, S] in [-1, 1], planar) and its caption in the model vocabulary. */
  /**
   * One training image ([C, S, S] in [-1, 1]), its caption, and the pixels its loss should weigh
   * more ({@code focus}, S×S, true in an object's frame; null: none).
   */
  public record Example(float[] chw, String caption, boolean[] focus) {
    public Example(float[] chw, String caption) {
      this(chw, caption, null);
    }
  }

  /** Makes the example of a seed (deterministic). */
  public interface Data {
    Example example(long seed);
  }

  /** Called after every step with the step's mean loss and the throughput so far. */
  public interface Listener {
    void onStep(int step, int total, double loss, double imagesPerSecond);
  }

  private final ModelConfig c;
  private final TrainConfig tc;
  private final Data data;
  private final Params w;
  private final Params ema;
  private final AdamW adam;
  private final List<Worker> workers = new ArrayList<>();
  private final ExecutorService pool;
  private int step;
  private double lastLoss = Double.NaN;

  /** The history up to this sitting, and this sitting's command and training seconds. */
  private RunHistory before;

  private String command;
  private double secondsThisSitting;

  private Trainer(ModelConfig c, TrainConfig tc, Data data, int threads, Checkpoint from) {
    this(c, tc, data, threads, from, null);
  }

  private Trainer(
      ModelConfig c,
      TrainConfig tc,
      Data data,
      int threads,
      Checkpoint from,
      Map<String, TensorData> initial) {
    this.c = c;
    this.tc = tc;
    this.data = data;
    if (from == null) {
      this.w = initial == null ? Init.weights(c, tc.seed()) : Params.of(c, initial);
      this.ema = Params.zeros(c);
      ema.copyFrom(w);
      this.adam = new AdamW(Params.zeros(c), Params.zeros(c));
      this.before = RunHistory.EMPTY;
    } else {
      this.w = from.w();
      this.ema = from.ema();
      this.adam = new AdamW(from.m(), from.v());
      this.step = from.step();
      this.before = from.history();
    }
    int n = Math.max(1, Math.min(threads, tc.batch()));
    for (int i = 0; i < n; i++) workers.add(new Worker(i, n));
    this.pool =
        Executors.newFixedThreadPool(
            n,
            r -> {
              Thread t = new Thread(r, "instgenie-train");
              t.setDaemon(true);
              return t;
            });
  }

  /** A fresh run. */
  public static Trainer start(ModelConfig c, TrainConfig tc, Data data, int threads) {
    return new Trainer(c, tc, data, threads, null);
  }

  /**
   * A fresh run whose weights (and EMA) start as {@code weights}, a model's tensors: what a lost
   * checkpoint leaves, resumed from the snapshot committed beside the code. The optimizer's moments
   * start at zero and the learning rate warms up again over {@code tc.warmup()} steps. The run's
   * history records that model's {@code provenance} (that model's steps, images and commands) as
   * where it started.
   */
  public static Trainer startFrom(
      ModelConfig c,
      TrainConfig tc,
      Data data,
      int threads,
      Map<String, TensorData> weights,
      Map<String, Object> provenance) {
    Trainer t = new Trainer(c, tc, data, threads, null, weights);
    t.startedFrom(provenance);
    return t;
  }

  /**
   * Resumes from a checkpoint; its configs must equal the ones asked for (a changed flag is an
   * error, not a silently different run).
   */
  public static Trainer resume(
      Path checkpoint, ModelConfig c, TrainConfig tc, Data data, int threads) {
    Checkpoint ck = Checkpoint.read(checkpoint);
    if (!ck.train().equals(tc)) {
      throw new IllegalArgumentException(
          "checkpoint " + checkpoint + " was made with " + ck.train() + ", not " + tc);
    }
    if (!sameArchitecture(ck.model(), c)) {
      throw new IllegalArgumentException(
          "checkpoint " + checkpoint + " holds a different architecture than asked for");
    }
    if (ck.threads() > 0 && ck.threads() != Math.min(threads, tc.batch())) {
      throw new IllegalArgumentException(
          "checkpoint "
              + checkpoint
              + " was trained with "
              + ck.threads()
              + " threads; resume with --threads "
              + ck.threads()
              + " (the thread count fixes how the batch's gradients are summed)");
    }
    return new Trainer(c, tc, data, threads, ck);
  }

  /**
   * Continues a finished (or stopped) run for more steps: weights, EMA and Adam moments from the
   * checkpoint, every setting but {@code steps} and the loss's object weight the same, the learning
   * rate following {@code tc}'s longer schedule from the checkpoint's step on. The object weight
   * may change because it changes what the loss asks for, not how the optimizer walks: a weight w
   * on the pixels near objects makes the best prediction, where the model cannot yet tell object
   * from background, lean w : 1 towards the object (the step-9,200 shapes model drew objects 1.5–2x
   * their size with w = 2), and a run that learned with w = 2 can be taught w = 1 without starting
   * over.
   */
  public static Trainer extend(Path checkpoint, ModelConfig c, TrainConfig tc, Data data, int n) {
    Checkpoint ck = Checkpoint.read(checkpoint);
    TrainConfig was = ck.train();
    TrainConfig same =
        new TrainConfig(
            tc.steps(),
            was.batch(),
            was.lr(),
            was.warmup(),
            was.weightDecay(),
            was.ema(),
            was.captionDropout(),
            was.gradClip(),
            was.seed(),
            was.timeSampling(),
            tc.objectWeight());
    if (!same.equals(tc) || !sameArchitecture(ck.model(), c)) {
      throw new IllegalArgumentException(
          "extending "
              + checkpoint
              + " needs its settings ("
              + was
              + ") with only more steps and, if asked, another object weight");
    }
    if (tc.steps() <= ck.step()) {
      throw new IllegalArgumentException(
          "checkpoint " + checkpoint + " is at step " + ck.step() + "; ask for more steps");
    }
    return new Trainer(c, tc, data, n, ck);
  }

  /** The settings of the run that wrote a checkpoint (its metadata only). */
  public static TrainConfig settingsOf(Path checkpoint) {
    return Checkpoint.trainConfig(checkpoint);
  }

  /** Resumes with the checkpoint's own configurations (to export its EMA weights, say). */
  public static Trainer resume(Path checkpoint, Data data, int threads) {
    Checkpoint ck = Checkpoint.read(checkpoint);
    return new Trainer(ck.model(), ck.train(), data, threads, ck);
  }

  /** The run's hyper-parameters. */
  public TrainConfig config() {
    return tc;
  }

  /** The architecture being trained. */
  public ModelConfig model() {
    return c;
  }

  /** Equal configs but for provenance (sampler defaults count: a checkpoint's own must match). */
  public static boolean sameArchitecture(ModelConfig a, ModelConfig b) {
    return a.withProvenance(null).equals(b.withProvenance(null));
  }

  public int step() {
    return step;
  }

  /**
   * Records that the run started from a model with provenance {@code from}, unless its history
   * already says where it started (a run begun before checkpoints carried it, resumed with the same
   * {@code --init-from}).
   */
  public void startedFrom(Map<String, Object> from) {
    before = before.orStartingFrom(from);
  }

  /** Records the command of this sitting in the run's history (checkpoints and provenance). */
  public void recordCommand(String command) {
    this.command = command;
  }

  /** The run's history including this sitting so far. */
  public RunHistory history() {
    return before.plus(secondsThisSitting, command);
  }

  public double lastLoss() {
    return lastLoss;
  }

  /**
   * Runs until {@code tc.steps()}, writing a checkpoint every {@code every} steps and at the end
   * when {@code checkpoint} is not null.
   */
  public void run(Path checkpoint, int every, Listener listener) {
    long start = System.nanoTime();
    int first = step;
    double earlier = secondsThisSitting;
    while (step < tc.steps()) {
      lastLoss = trainStep();
      double secs = (System.nanoTime() - start) / 1e9;
      secondsThisSitting = earlier + secs;
      if (listener != null) {
        listener.onStep(step, tc.steps(), lastLoss, (step - first) * tc.batch() / secs);
      }
      if (checkpoint != null && (step % every == 0 || step == tc.steps())) save(checkpoint);
    }
  }

  /** One optimizer step; returns the batch's mean squared error per value. */
  double trainStep() {
    double scale = 1.0 / ((double) tc.batch() * c.imageTokens() * c.patchDim());
    List<Future<Double>> parts = new ArrayList<>();
    for (Worker wk : workers) parts.add(pool.submit(() -> wk.run(step, scale)));
    double sse = 0;
    for (Future<Double> f : parts) sse += join(f);
    Params g = workers.get(0).grads;
    for (int i = 1; i < workers.size(); i++) g.add(workers.get(i).grads);
    double norm = g.norm();
    if (!Double.isFinite(norm)) {
      throw new IllegalStateException(
          "the gradient is not finite at step " + step + " (norm " + norm + "); lower the lr");
    }
    if (tc.gradClip() > 0 && norm > tc.gradClip()) g.scale((float) (tc.gradClip() / norm));
    adam.update(w, g, step + 1, tc.lrAt(step), tc.weightDecay());
    updateEma();
    step++;
    return sse * scale;
  }

  /** ema ← d·ema + (1 − d)·w with d ramping up to the configured decay over the first steps. */
  private void updateEma() {
    double d = Math.min(tc.ema(), (1.0 + step) / (10.0 + step));
    for (Map.Entry<String, FloatBuf> e : ema.all().entrySet()) {
      FloatBuffer ef = e.getValue().floats();
      FloatBuffer wf = w.get(e.getKey()).floats();
      for (int i = 0, n = (int) e.getValue().size(); i < n; i++) {
        ef.put(i, (float) (d * ef.get(i) + (1 - d) * wf.get(i)));
      }
    }
  }

  public void save(Path checkpoint) {
    try {
      if (checkpoint.getParent() != null) Files.createDirectories(checkpoint.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + checkpoint.getParent(), e);
    }
    new Checkpoint(step, workers.size(), c, tc, w, ema, adam.m, adam.v, history())
        .write(checkpoint);
  }

  /** The EMA weights, ready for {@code ModelFiles.write}. */
  public Map<String, TensorData> emaWeights() {
    return ema.toTensors();
  }

  /** The raw (non-EMA) weights. */
  public Map<String, TensorData> weights() {
    return w.toTensors();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  private static double join(Future<Double> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException("training step failed", e.getCause());
    }
  }

  /** The seed of example {@code i} of step {@code s} (SplitMix64 finaliser over run seed, s, i). */
  static long exampleSeed(long seed, int s, int i) {
    long z = seed * 0x9E3779B97F4A7C15L + s * 0xBF58476D1CE4E5B9L + i * 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** One thread's slice of the batch: its examples, its pass and its gradients. */
  private final class Worker {
    final int from;
    final int to;
    final Params grads = Params.zeros(c);
    final TrainPass pass = new TrainPass(c, w, grads);

    Worker(int index, int count) {
      this.from = tc.batch() * index / count;
      this.to = tc.batch() * (index + 1) / count;
    }

    double run(int s, double scale) {
      grads.zero();
      int n = to - from;
      int values = c.imageTokens() * c.patchDim();
      int p = c.promptTokens();
      float[] xt = new float[n * values];
      float[] target = new float[n * values];
      float[] t = new float[n];
      int[] ids = new int[n * p];
      float[] weights = null;
      for (int k = 0; k < n; k++) {
        long seed = exampleSeed(tc.seed(), s, from + k);
        Example ex = data.example(seed);
        float[] x0 = Patches.fromChw(ex.chw(), c);
        // t, noise and caption dropout (the constant only separates this stream from the scene)
        Random r = new Random(seed ^ 0x5DEECE66DL);
        float tk = tc.sampleT(r);
        t[k] = tk;
        for (int j = 0; j < values; j++) {
          float eps = (float) r.nextGaussian();
          xt[k * values + j] = (1 - tk) * x0[j] + tk * eps;
          target[k * values + j] = eps - x0[j];
        }
        boolean drop = r.nextDouble() < tc.captionDropout();
        int[] prompt = drop ? Prompts.nullPrompt(c) : Prompts.encode(c, ex.caption());
        System.arraycopy(prompt, 0, ids, k * p, p);
        float[] tw = tc.tokenWeights(ex.focus(), c.imageSize(), c.patchSize());
        if (tw != null) {
          if (weights == null) {
            weights = new float[n * c.imageTokens()];
            Arrays.fill(weights, 1f);
          }
          System.arraycopy(tw, 0, weights, k * c.imageTokens(), tw.length);
        }
      }
      return pass.forwardBackward(new TrainPass.Batch(n, xt, target, t, ids, weights), scale);
    }
  }
}
