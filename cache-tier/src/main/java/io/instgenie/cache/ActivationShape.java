package io.instgenie.cache;

import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.model.ModelConfig;
import java.util.Objects;

/**
 * The geometry of one template's cached activations: steps × depth segments of L rows each, a row
 * being H values (block outputs Y) or 2H values (keys then values, K/V).
 */
public record ActivationShape(
    int steps, int depth, int tokens, int hidden, Precision precision, CacheKind kind) {

  public ActivationShape {
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(kind, "kind");
    if (steps <= 0 || depth <= 0 || tokens <= 0 || hidden <= 0) {
      throw new IllegalArgumentException(
          "steps, depth, tokens and hidden must be positive: steps="
              + steps
              + " depth="
              + depth
              + " tokens="
              + tokens
              + " hidden="
              + hidden);
    }
    // a segment is one ByteBuffer, so it must fit in an int
    if ((long) tokens * kind.rowWidth(hidden) * precision.bytes() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "a block segment of " + tokens + " x " + kind.rowWidth(hidden) + " values is over 2 GiB");
    }
  }

  /** Block outputs Y. */
  public ActivationShape(int steps, int depth, int tokens, int hidden, Precision precision) {
    this(steps, depth, tokens, hidden, precision, CacheKind.Y);
  }

  public static ActivationShape of(ModelConfig c, int steps, Precision precision) {
    return of(c, steps, precision, CacheKind.Y);
  }

  public static ActivationShape of(ModelConfig c, int steps, Precision precision, CacheKind kind) {
    return new ActivationShape(steps, c.depth(), c.imageTokens(), c.hiddenSize(), precision, kind);
  }

  /** Values per token row: H (Y) or 2H (K/V). */
  public int rowWidth() {
    return kind.rowWidth(hidden);
  }

  /** Values in one (step, block) segment: L × row width. */
  public int segmentValues() {
    return tokens * rowWidth();
  }

  public int segmentBytes() {
    return segmentValues() * precision.bytes();
  }

  public int segments() {
    return steps * depth;
  }

  /** Bytes of all segments (what a memory tier charges). */
  public long totalBytes() {
    return (long) segments() * segmentBytes();
  }

  /** Index of segment (step, block) in step-major order, the order of the file. */
  public int index(int step, int block) {
    if (step < 0 || step >= steps || block < 0 || block >= depth) {
      throw new IndexOutOfBoundsException(
          "segment (step "
              + step
              + ", block "
              + block
              + ") outside "
              + steps
              + " steps x "
              + depth
              + " blocks");
    }
    return step * depth + block;
  }

  /** True when a model with config {@code c} reads activations of this geometry. */
  public boolean fits(ModelConfig c) {
    return depth == c.depth() && tokens == c.imageTokens() && hidden == c.hiddenSize();
  }
}
