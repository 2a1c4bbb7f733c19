package io.instgenie.kernels.bench;

import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.edit.Schedule;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import io.instgenie.kernels.scenes.Scene;
import io.instgenie.kernels.scenes.SceneGenerator;
import io.instgenie.kernels.scenes.SceneObject;
import io.instgenie.kernels.scenes.SceneStyle;
import io.instgenie.kernels.scenes.Shape;
import io.instgenie.kernels.scenes.ShapeScore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the model draws from a prompt alone, shape by shape ({@code bench drawing}): no template and
 * no mask, so an edit's failures can be told apart from the model's. For each shape of the model's
 * scene style, seeded one-object scenes whose object has that shape; the model samples the image
 * from the object's phrase ("red star") with classifier-free guidance, either from pure noise or —
 * with a start step k — from the scene itself noised to t = 1 − k/steps (how much of an outline the
 * model needs before it finishes the shape); the asked-colour region of the whole image is
 * classified by {@link ShapeScore}. Start step {@code steps} returns the scenes themselves: the
 * classifier's accuracy on the generator's own objects.
 */
public final class DrawingBench {
  /** One shape's row: cases asked, drawn (recognised as asked), and what was seen (null: none). */
  public record Row(Shape shape, int asked, int drawn, Map<String, Integer> seen) {
    public double score() {
      return asked == 0 ? 0 : drawn / (double) asked;
    }
  }

  /** One sample, for a picture: the scene it asked for and what came out. */
  public record Sample(Shape shape, byte[] scene, byte[] drawn) {}

  /** The rows (the style's shape order) and every sample (shape by shape, in seed order). */
  public record Result(
      int steps, int startStep, float guidance, List<Row> rows, List<Sample> samples) {
    public double score() {
      int asked = rows.stream().mapToInt(Row::asked).sum();
      return asked == 0 ? 0 : rows.stream().mapToInt(Row::drawn).sum() / (double) asked;
    }
  }

  /** Scenes looked at per case before giving up (about 1 in 8 is one object of a given shape). */
  private static final int SEARCH = 1000;

  private final DitForward forward;
  private final ModelConfig c;
  private final SceneStyle style;

  public DrawingBench(DitForward forward) {
    this.forward = forward;
    this.c = forward.config();
    this.style = SceneStyle.of(c);
  }

  /**
   * {@code perShape} samples of every shape; scene seeds from {@code firstSeed} on (the first
   * one-object scenes with that shape), sample noise from the scene seed.
   *
   * @param startStep 0: from pure noise; k in 1..steps: from the scene noised to t = 1 − k/steps
   */
  public Result run(int perShape, long firstSeed, int steps, int startStep, float guidance) {
    if (perShape < 1) throw new IllegalArgumentException("cases per shape must be positive");
    if (steps < 1) throw new IllegalArgumentException("steps must be positive, got " + steps);
    if (startStep < 0 || startStep > steps)
      throw new IllegalArgumentException(
          "the start step must be within 0.." + steps + ", got " + startStep);
    SceneGenerator gen = new SceneGenerator(c.imageSize(), style);
    int size = c.imageSize();
    byte[] all = new byte[size * size];
    Arrays.fill(all, (byte) 255);
    MaskImage whole = new MaskImage(size, size, all);
    List<Row> rows = new ArrayList<>();
    List<Sample> samples = new ArrayList<>();
    for (Shape shape : style.shapes()) {
      int drawn = 0;
      Map<String, Integer> seen = new LinkedHashMap<>();
      long seed = firstSeed;
      for (int n = 0; n < perShape; seed++) {
        if (seed - firstSeed > SEARCH * (long) perShape)
          throw new IllegalStateException(
              "no "
                  + perShape
                  + " one-object scenes of "
                  + shape.word()
                  + " found from seed "
                  + firstSeed);
        Scene scene = gen.sample(seed);
        if (scene.objects().size() != 1 || scene.objects().get(0).shape() != shape) continue;
        n++;
        SceneObject o = scene.objects().get(0);
        byte[] rgb = sample(scene, style.phrase(o, false, false), seed, steps, startStep, guidance);
        RgbImage img = new RgbImage(size, size, rgb);
        ShapeScore.Fit fit =
            ShapeScore.classify(ShapeScore.region(img, whole, o.colour()), size, style.shapes());
        Shape got = ShapeScore.recognised(fit);
        seen.merge(got == null ? "none" : got.word(), 1, Integer::sum);
        if (got == shape) drawn++;
        samples.add(new Sample(shape, scene.image().pixels(), rgb));
      }
      rows.add(new Row(shape, perShape, drawn, seen));
    }
    return new Result(steps, startStep, guidance, rows, samples);
  }

  /** Euler steps from {@code startStep} on, every token computed, guided by {@code prompt}. */
  private byte[] sample(
      Scene scene, String prompt, long seed, int steps, int startStep, float guidance) {
    float[] x0 = Patches.fromImage(scene.image(), c);
    float[] x = new float[x0.length];
    Schedule.noised(x0, Noise.gaussian(seed, x0.length), Schedule.t(startStep, steps), x);
    int[] ids = Prompts.encode(c, prompt);
    int[] none = Prompts.nullPrompt(c);
    boolean guided = guidance != 1f;
    float[] vPrompt = new float[x.length];
    float[] vNull = guided ? new float[x.length] : null;
    for (int k = startStep; k < steps; k++) {
      float t = Schedule.t(k, steps);
      List<Sequence> seqs = new ArrayList<>(2);
      if (guided) seqs.add(Sequence.full(t, none, x, c.imageTokens(), vNull, null));
      seqs.add(Sequence.full(t, ids, x, c.imageTokens(), vPrompt, null));
      forward.run(seqs, null);
      float dt = Schedule.t(k + 1, steps) - t;
      for (int i = 0; i < x.length; i++) {
        float v = guided ? Schedule.guided(vNull[i], vPrompt[i], guidance) : vPrompt[i];
        x[i] += dt * v;
      }
    }
    return Patches.toRgb(x, c);
  }
}
