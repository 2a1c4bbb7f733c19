package io.instgenie.kernels.dit;

import io.instgenie.kernels.cached.BlockSink;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CacheKind;
import java.util.Arrays;

/**
 * One denoiser evaluation in a batch: noise level t, prompt, the current x of every image token
 * ([L, C·p²] token layout), which image tokens to compute, where the rest come from, and where the
 * velocity of the computed tokens goes.
 */
public final class Sequence {
  final float t;
  final int[] promptIds;
  final float[] patches;
  final int[] active;
  final int[] inactive;
  final BlockSource cache;
  final BlockSink recorder;
  final float[] velocity;

  private Sequence(
      float t,
      int[] promptIds,
      float[] patches,
      int[] active,
      int tokens,
      BlockSource cache,
      BlockSink recorder,
      float[] velocity) {
    this.t = t;
    this.promptIds = promptIds;
    this.patches = patches;
    this.active = active;
    this.inactive = complement(active, tokens);
    this.cache = cache;
    this.recorder = recorder;
    this.velocity = velocity;
    if (inactive.length > 0 && cache == null) {
      throw new IllegalArgumentException(
          "a masked sequence needs a block cache for its unmasked tokens");
    }
    if (recorder != null && inactive.length > 0) {
      throw new IllegalArgumentException("only a full sequence can record a template run");
    }
  }

  /** Every token computed; {@code velocity} ([L, C·p²]) and {@code recorder} may be null. */
  public static Sequence full(
      float t, int[] promptIds, float[] patches, int tokens, float[] velocity, BlockSink recorder) {
    int[] all = new int[tokens];
    for (int i = 0; i < tokens; i++) all[i] = i;
    return new Sequence(t, promptIds, patches, all, tokens, null, recorder, velocity);
  }

  /** Only {@code active} (sorted, distinct) tokens computed; velocity is [active.length, C·p²]. */
  public static Sequence masked(
      float t,
      int[] promptIds,
      float[] patches,
      int[] active,
      int tokens,
      BlockSource cache,
      float[] velocity) {
    return new Sequence(t, promptIds, patches, active.clone(), tokens, cache, null, velocity);
  }

  /** The kind of cached rows this sequence reads (Y when it reads none). */
  CacheKind cacheKind() {
    return cache == null || inactive.length == 0 ? CacheKind.Y : cache.kind();
  }

  /** True when its unmasked rows' keys and values come from a K/V cache. */
  boolean readsKv() {
    return cacheKind() == CacheKind.KV;
  }

  public int activeTokens() {
    return active.length;
  }

  public int inactiveTokens() {
    return inactive.length;
  }

  private static int[] complement(int[] active, int tokens) {
    boolean[] on = new boolean[tokens];
    int prev = -1;
    for (int a : active) {
      if (a <= prev || a >= tokens) {
        throw new IllegalArgumentException(
            "active tokens must be sorted, distinct and < "
                + tokens
                + ": "
                + Arrays.toString(active));
      }
      on[a] = true;
      prev = a;
    }
    int[] out = new int[tokens - active.length];
    int n = 0;
    for (int i = 0; i < tokens; i++) if (!on[i]) out[n++] = i;
    return out;
  }
}
