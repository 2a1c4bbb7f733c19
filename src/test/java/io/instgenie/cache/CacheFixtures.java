package io.instgenie.cache;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.edit.Activations;
import io.instgenie.kernels.edit.EditEngine;
import io.instgenie.kernels.edit.EditJob;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.edit.StepListener;
import io.instgenie.kernels.edit.TemplateRunJob;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.tensor.FloatBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Tiny shapes, random activations, and the service's edit path (lookup, else template run +
 * commit).
 */
final class CacheFixtures {
  static final ModelConfig C = Presets.tiny();
  static final int S = C.imageSize();

  private CacheFixtures() {}

  static ActivationShape shape(int steps, Precision p) {
    return ActivationShape.of(C, steps, p);
  }

  /**
   * Activations filled with N(0, 1) values from {@code seed} through the sink, as a template run
   * would.
   */
  static StoredActivations random(ActivationShape shape, long seed) {
    StoredActivations a = StoredActivations.allocate(shape);
    Random r = new Random(seed);
    FloatBuf y = FloatBuf.allocate(shape.segmentValues() + 7L);
    for (int k = 0; k < shape.steps(); k++) {
      for (int b = 0; b < shape.depth(); b++) {
        for (int i = 0; i < shape.segmentValues(); i++) y.set(7 + i, (float) r.nextGaussian());
        a.sink(k).accept(b, y, 7); // a non-zero offset on purpose
      }
    }
    return a;
  }

  /** Every value of every segment, decoded to float, through the Activations seam. */
  static float[] allValues(Activations a, ActivationShape s) {
    int[] all = new int[s.tokens()];
    for (int i = 0; i < all.length; i++) all[i] = i;
    float[] out = new float[s.segments() * s.segmentValues()];
    FloatBuf buf = FloatBuf.allocate(s.segmentValues());
    for (int k = 0; k < s.steps(); k++) {
      for (int b = 0; b < s.depth(); b++) {
        a.source(k).gather(b, all, buf, 0);
        buf.copyTo(0, out, s.index(k, b) * s.segmentValues(), s.segmentValues());
      }
    }
    return out;
  }

  static EditEngine engine() {
    return new EditEngine(DitModel.random(C, 3), new CpuBackend(), 4);
  }

  static RgbImage image(long seed) {
    byte[] px = new byte[S * S * 3];
    new Random(seed).nextBytes(px);
    return new RgbImage(S, S, px);
  }

  static MaskImage mask(long seed, double p) {
    Random r = new Random(seed);
    byte[] lv = new byte[S * S];
    for (int i = 0; i < lv.length; i++) lv[i] = (byte) (r.nextDouble() < p ? 255 : 0);
    return new MaskImage(S, S, lv);
  }

  static EditRequest request(long seed) {
    return new EditRequest(image(seed), mask(seed + 1, 0.3), "a red circle", 3, 11L, 2.5f);
  }

  /** The outcome of one edit through the cache. */
  record Outcome(byte[] rgb, boolean hit) {}

  /**
   * What the service does: lookup; on a miss, a template run recorded into newRun and committed.
   */
  static Outcome edit(TemplateCache cache, EditEngine engine, EditRequest req) {
    PreparedEdit p = engine.prepare(req);
    ModelConfig c = engine.config();
    Activations acts = cache.lookup(p.templateId(), p.steps()).orElse(null);
    boolean hit = acts != null;
    if (!hit) {
      StoredActivations run = cache.newRun(p.templateId(), p.steps(), c);
      engine.run(
          List.of(new TemplateRunJob(c, p.templateTokens(), p.templateNoise(), run)),
          null,
          "template",
          StepListener.NONE);
      cache.commit(p.templateId(), run);
      acts = run;
    }
    EditJob job = p.job(c, acts);
    engine.run(List.of(job), null, "edit", StepListener.NONE);
    return new Outcome(job.result(req.template().pixels(), p.pixelMask()), hit);
  }

  /** Collects the records of one java.util.logging logger (where System.Logger goes by default). */
  static final class Captured extends Handler implements AutoCloseable {
    final List<LogRecord> records = new ArrayList<>();
    private final Logger logger;

    Captured(Class<?> source) {
      this.logger = Logger.getLogger(source.getName());
      logger.addHandler(this);
    }

    synchronized long warnings() {
      return records.stream().filter(r -> r.getLevel() == Level.WARNING).count();
    }

    @Override
    public synchronized void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
    }
  }
}
