package io.instgenie.kernels.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Random;

/**
 * Hyper-parameters of a training run. Together with the model architecture, the data and the thread
 * count they determine the run: the same settings give the same weights on the same CPU type
 * (OpenBLAS picks its kernels per CPU, so other CPUs may round differently).
 */
public record TrainConfig(
    @JsonProperty("steps") int steps,
    @JsonProperty("batch") int batch,
    @JsonProperty("lr") double lr,
    @JsonProperty("warmup") int warmup,
    @JsonProperty("weight_decay") double weightDecay,
    @JsonProperty("ema") double ema,
    @JsonProperty("caption_dropout") double captionDropout,
    @JsonProperty("grad_clip") double gradClip,
    @JsonProperty("seed") long seed,
    @JsonProperty("t_sampling") String timeSampling,
    @JsonProperty("object_weight") Double objectWeight) {

  /** How the noise level t of a training example is drawn. */
  public static final String UNIFORM = "uniform";

  /** t = sigmoid(n), n standard normal: more weight on the middle noise levels (SD3). */
  public static final String LOGIT_NORMAL = "logit-normal";

  /**
   * Logit-normal four times in five, uniform otherwise: the middle keeps its weight, and the levels
   * next to t = 1, where the sampler takes its first steps and logit-normal almost never draws
   * (0.2% of draws above 0.95), are still learnt.
   */
  public static final String MIXED = "mixed";

  /**
   * {@link #MIXED} moved towards noise: the logit-normal draws are sigmoid(n + {@link
   * #HIGH_SHIFT}), median 0.73, so about two draws in five land above t = 0.75, where the sampler's
   * first steps decide an object's colour and outline (mixed: one in six).
   */
  public static final String HIGH = "high";

  /** The logit shift of {@link #HIGH}. */
  static final double HIGH_SHIFT = 1.0;

  /**
   * Uniform noise levels and unweighted tokens (a checkpoint without {@code t_sampling} or {@code
   * object_weight} reads the same way: the canonical constructor takes their absence as these).
   */
  public TrainConfig(
      int steps,
      int batch,
      double lr,
      int warmup,
      double weightDecay,
      double ema,
      double captionDropout,
      double gradClip,
      long seed) {
    this(steps, batch, lr, warmup, weightDecay, ema, captionDropout, gradClip, seed, UNIFORM, 1.0);
  }

  /** Unweighted tokens. */
  public TrainConfig(
      int steps,
      int batch,
      double lr,
      int warmup,
      double weightDecay,
      double ema,
      double captionDropout,
      double gradClip,
      long seed,
      String timeSampling) {
    this(
        steps,
        batch,
        lr,
        warmup,
        weightDecay,
        ema,
        captionDropout,
        gradClip,
        seed,
        timeSampling,
        1.0);
  }

  public TrainConfig {
    if (timeSampling == null) timeSampling = UNIFORM;
    if (objectWeight == null) objectWeight = 1.0;
    if (!(objectWeight > 0 && Double.isFinite(objectWeight))) {
      throw new IllegalArgumentException("object weight must be positive, got " + objectWeight);
    }
    if (!List.of(UNIFORM, LOGIT_NORMAL, MIXED, HIGH).contains(timeSampling)) {
      throw new IllegalArgumentException(
          "t sampling must be uniform, logit-normal, mixed or high, got " + timeSampling);
    }
    if (steps <= 0) throw new IllegalArgumentException("steps must be positive, got " + steps);
    if (batch <= 0) throw new IllegalArgumentException("batch must be positive, got " + batch);
    if (!(lr > 0 && Double.isFinite(lr))) {
      throw new IllegalArgumentException("lr must be positive, got " + lr);
    }
    if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
      throw new IllegalArgumentException("weight decay must be ≥ 0, got " + weightDecay);
    }
    if (!(gradClip >= 0 && Double.isFinite(gradClip))) {
      throw new IllegalArgumentException("grad clip must be ≥ 0 (0: off), got " + gradClip);
    }
    if (warmup < 0) throw new IllegalArgumentException("warmup must be ≥ 0, got " + warmup);
    if (!(ema >= 0 && ema < 1))
      throw new IllegalArgumentException("ema must be in [0, 1), got " + ema);
    if (!(captionDropout >= 0 && captionDropout <= 1)) {
      throw new IllegalArgumentException(
          "caption dropout must be in [0, 1], got " + captionDropout);
    }
  }

  /** Draws a training example's noise level in (0, 1). */
  public float sampleT(Random r) {
    if (timeSampling.equals(UNIFORM)) return r.nextFloat();
    boolean mixed = timeSampling.equals(MIXED) || timeSampling.equals(HIGH);
    if (mixed && r.nextInt(5) == 0) return r.nextFloat();
    double shift = timeSampling.equals(HIGH) ? HIGH_SHIFT : 0;
    return (float) (1 / (1 + Math.exp(-(r.nextGaussian() + shift))));
  }

  /**
   * The loss weights of one image's L tokens: {@link #objectWeight} where the token's patch holds a
   * focus pixel (an object's frame), 1 elsewhere, scaled to mean 1 so the loss keeps its scale;
   * null when every token weighs the same (no focus, or an object weight of 1).
   *
   * @param focus size×size pixels, true in an object's frame; may be null
   */
  public float[] tokenWeights(boolean[] focus, int size, int patch) {
    if (focus == null || objectWeight == 1.0) return null;
    int grid = size / patch;
    float[] w = new float[grid * grid];
    double sum = 0;
    for (int n = 0; n < w.length; n++) {
      int i = n / grid;
      int j = n % grid;
      boolean hit = false;
      for (int u = 0; u < patch && !hit; u++) {
        for (int v = 0; v < patch && !hit; v++) hit = focus[(i * patch + u) * size + j * patch + v];
      }
      w[n] = hit ? objectWeight.floatValue() : 1f;
      sum += w[n];
    }
    float norm = (float) (w.length / sum);
    for (int n = 0; n < w.length; n++) w[n] *= norm;
    return w;
  }

  /** Learning rate at a step: linear warm-up, then cosine decay to a tenth of the peak. */
  public double lrAt(int step) {
    if (step < warmup) return lr * (step + 1) / warmup;
    double progress = (double) (step - warmup) / Math.max(1, steps - warmup);
    return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
  }
}
