package io.instgenie.kernels.cached;

import java.util.Locale;

/**
 * What a template's cache holds per step and block (DESIGN.md, "Masked forward"): the block output
 * Y_b (L rows of H values), or the attention keys and values of the image rows (L rows of 2H
 * values, K then V), which spare a masked block the LayerNorm and K/V projections of every unmasked
 * row for twice the bytes, and allow recomputing a prefix of blocks only.
 */
public enum CacheKind {
  Y,
  KV;

  /** Values per cached token row: H for Y, 2H (k then v) for K/V. */
  public int rowWidth(int hidden) {
    return this == Y ? hidden : 2 * hidden;
  }

  /**
   * True when a forward with block modes {@code plan} (null: CACHE everywhere) reads block b of a
   * cache of this kind. Y: every CACHE block. K/V: a CACHE block whose predecessor is cached too;
   * the first cached block after a recomputed prefix projects K/V from its inputs instead.
   */
  public boolean reads(BlockMode[] plan, int b) {
    if (plan == null) return true;
    if (plan[b] != BlockMode.CACHE) return false;
    return this == Y || b == 0 || plan[b - 1] == BlockMode.CACHE;
  }

  /** "y" or "kv", case-insensitive. */
  public static CacheKind parse(String s) {
    return switch (s == null ? "" : s.toLowerCase(Locale.ROOT)) {
      case "y" -> Y;
      case "kv" -> KV;
      default -> throw new IllegalArgumentException("cache kind must be y or kv, got '" + s + "'");
    };
  }
}
