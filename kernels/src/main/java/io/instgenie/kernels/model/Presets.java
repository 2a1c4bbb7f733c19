package io.instgenie.kernels.model;

import java.util.List;
import java.util.Locale;

/**
 * Named architectures for {@code init-model}: {@code tiny} for tests, {@code bench} for benchmarks,
 * {@code scene} for the trained default model.
 */
public final class Presets {
  /**
   * Words of the scene vocabulary: sizes, colours, shapes and a few fillers; index 0 is the null
   * token.
   */
  public static final List<String> VOCAB =
      List.of(
          "<null>",
          "a",
          "an",
          "the",
          "and",
          "with",
          "on",
          "of",
          "small",
          "medium",
          "large",
          "big",
          "red",
          "green",
          "blue",
          "yellow",
          "orange",
          "purple",
          "cyan",
          "magenta",
          "white",
          "black",
          "grey",
          "circle",
          "square",
          "triangle",
          "diamond",
          "star",
          "ring",
          "cross",
          "bar",
          "background",
          "stripes",
          "gradient");

  /** The words of simple scenes ({@code SceneStyle.SIMPLE}): six colours, four shapes, articles. */
  public static final List<String> SHAPES_VOCAB =
      List.of(
          "<null>",
          "a",
          "an",
          "red",
          "green",
          "blue",
          "yellow",
          "purple",
          "white",
          "circle",
          "square",
          "triangle",
          "star");

  private Presets() {}

  public static ModelConfig byName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "tiny" -> tiny();
      case "bench" -> bench();
      case "scene" -> scene();
      case "scene-p4" -> sceneP4();
      case "shapes" -> shapes();
      case "shapes-deep" -> shapesDeep();
      case "shapes-deeper" -> shapesDeeper();
      default ->
          throw new IllegalArgumentException(
              "unknown preset '"
                  + name
                  + "' (known: tiny, bench, scene, scene-p4, shapes, shapes-deep, shapes-deeper)");
    };
  }

  /** 16×16 images, patch 4 (16 tokens), H 32, depth 2: fast enough for unit tests. */
  public static ModelConfig tiny() {
    return new ModelConfig(ModelConfig.FORMAT, 16, 3, 4, 32, 2, 2, 4, 4, VOCAB, 4, 3.0f, null);
  }

  /**
   * The default model's architecture: 64×64 scenes, patch 8 (64 tokens), H 256, depth 4, 4 heads, 8
   * prompt tokens; small enough to train on two CPU cores in about an hour. H must exceed the 192
   * values of a patch: the velocity of every pixel passes through H dimensions, and with H 128 a
   * third of the noise could not be predicted and stayed in the samples (seen in a first run).
   */
  public static ModelConfig scene() {
    return new ModelConfig(ModelConfig.FORMAT, 64, 3, 8, 256, 4, 4, 4, 8, VOCAB, 20, 3.0f, null);
  }

  /**
   * An alternative for the scene model, tried on 2026-11-26 (BENCHMARKS.md): patch 4 (256 tokens),
   * H 128 (above the 48 values of a patch), depth 4, 4 heads, at about the scene preset's training
   * cost. It followed the prompt's colour more often but drew no more shape, and its cached edits
   * strayed further from full recompute; kept so that run can be repeated with more compute.
   */
  public static ModelConfig sceneP4() {
    return new ModelConfig(ModelConfig.FORMAT, 64, 3, 4, 128, 4, 4, 4, 8, VOCAB, 20, 3.0f, null);
  }

  /**
   * The default model since December 2026: 32×32 simple scenes, patch 2 (256 tokens, each painting
   * 2×2 pixels), H 128, depth 4, 4 heads, 4 prompt tokens (about 1.3M parameters), the geometry of
   * small DiTs that learn shapes quickly (DiT-S/2); BENCHMARKS.md has the measurements behind it.
   */
  public static ModelConfig shapes() {
    return new ModelConfig(
        ModelConfig.FORMAT, 32, 3, 2, 128, 4, 4, 4, 4, SHAPES_VOCAB, 20, 3.0f, null);
  }

  /**
   * The shapes geometry with twice the blocks (depth 8, about 2.5M parameters, twice the compute
   * per image): the depth-4 model's shape score stayed at 0.39-0.46 from 1.0M to 1.75M training
   * images (BENCHMARKS.md), so more capacity is the next thing to try. {@code train --init-from} a
   * depth-4 shapes model starts it from that model's function ({@code Deepen}).
   */
  public static ModelConfig shapesDeep() {
    return new ModelConfig(
        ModelConfig.FORMAT, 32, 3, 2, 128, 8, 4, 4, 4, SHAPES_VOCAB, 20, 3.0f, null);
  }

  /**
   * The shapes geometry at depth 16 (about 4.8M parameters, twice the depth-8 compute per image).
   * The depth-8 model draws circles, squares and triangles but no star after 2.7M images: asked for
   * a star it leaves ragged speckled blobs, even when the sampler starts from a noised star at t
   * 0.7 (BENCHMARKS.md); {@code train --init-from} a depth-8 model grows it ({@code Deepen}) with
   * the same function and more blocks to learn the star's outline with.
   */
  public static ModelConfig shapesDeeper() {
    return new ModelConfig(
        ModelConfig.FORMAT, 32, 3, 2, 128, 16, 4, 4, 4, SHAPES_VOCAB, 20, 3.0f, null);
  }

  /** 128×128 images, patch 4 (1024 tokens), H 256, depth 8, 4 heads, 8 prompt tokens. */
  public static ModelConfig bench() {
    return new ModelConfig(ModelConfig.FORMAT, 128, 3, 4, 256, 8, 4, 4, 8, VOCAB, 20, 4.0f, null);
  }
}
