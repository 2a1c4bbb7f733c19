package io.instgenie.kernels.scenes;

import io.instgenie.kernels.train.Trainer;
import java.util.Random;

/**
 * Generated scenes as training examples. Half of the captions describe the whole scene; the other
 * half name one of its objects only ("red circle", "small blue star", "a red circle"), the form
 * edit prompts take, so that a prompt naming one object is in distribution wherever the rest of the
 * image comes from. Every example marks its objects' frames as the focus pixels a weighted loss may
 * favour.
 */
public final class SceneTrainingData implements Trainer.Data {
  private final SceneGenerator generator;

  /** Classic scenes. */
  public SceneTrainingData(int size) {
    this(size, SceneStyle.CLASSIC);
  }

  public SceneTrainingData(int size, SceneStyle style) {
    this(size, style, null);
  }

  /** Scenes whose shapes are drawn with these odds ({@link SceneGenerator}'s; null: uniform). */
  public SceneTrainingData(int size, SceneStyle style, double[] shapeOdds) {
    this.generator = new SceneGenerator(size, style, shapeOdds);
  }

  @Override
  public Trainer.Example example(long seed) {
    Scene s = generator.sample(seed);
    Random r = new Random(~seed);
    String caption = s.caption();
    if (r.nextBoolean() && !s.objects().isEmpty()) {
      SceneObject o = s.objects().get(r.nextInt(s.objects().size()));
      boolean optional = r.nextBoolean(); // a size word (classic) or an article (simple)
      caption =
          generator.style() == SceneStyle.CLASSIC
              ? generator.style().phrase(o, false, optional)
              : generator.style().phrase(o, optional, false);
    }
    return new Trainer.Example(s.pixels(), caption, frames(s));
  }

  /** The pixels inside any object's frame. */
  static boolean[] frames(Scene s) {
    int size = s.size();
    boolean[] focus = new boolean[size * size];
    for (SceneObject o : s.objects()) {
      Box f = o.frame();
      for (int y = Math.max(0, f.y0()); y < Math.min(size, f.y1()); y++) {
        for (int x = Math.max(0, f.x0()); x < Math.min(size, f.x1()); x++)
          focus[y * size + x] = true;
      }
    }
    return focus;
  }
}
