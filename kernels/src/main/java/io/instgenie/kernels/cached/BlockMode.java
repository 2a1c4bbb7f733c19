package io.instgenie.kernels.cached;

/** How a block treats the unmasked rows of a masked forward (DESIGN.md, "cache Y"). */
public enum BlockMode {
  /**
   * Q, attention and MLP for prompt and masked rows only; unmasked rows of Y_b copied from the
   * cache.
   */
  CACHE,
  /** The block as in the full forward, on all rows. */
  RECOMPUTE
}
