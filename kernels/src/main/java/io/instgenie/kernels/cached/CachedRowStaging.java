package io.instgenie.kernels.cached;

import io.instgenie.kernels.tensor.FloatBuf;
import java.util.List;

/**
 * An optional capability of a backend: it loads and gathers a masked forward's cached rows itself
 * (the GPU path: pinned host memory copied per block on a copy stream, rows gathered on the
 * device), so loads overlap compute block by block. The DiT forward ({@code dit.DitForward}) uses
 * it when its backend implements it; otherwise it gathers on the host. Calls come on the backend's
 * thread, in order: {@link #begin}, then per CACHE block {@link #gather} for each masked sequence
 * and {@link #blockDone}, then {@link #end}.
 */
public interface CachedRowStaging {

  /**
   * A forward starts: {@code sources.get(i)} serves the cached rows {@code tokens.get(i)} of masked
   * sequence i (sources may repeat), each Y_b being {@code imageTokens} × {@code hidden}; blocks
   * whose {@code plan} entry is RECOMPUTE are never asked.
   */
  void begin(
      List<BlockSource> sources, List<int[]> tokens, BlockMode[] plan, int imageTokens, int hidden);

  /**
   * dst[dstOff + r·H ..] = Y_b[tokens[r]] of {@code src}, ordered after every operation issued so
   * far and before every later one; {@code tokens} is one of the arrays given to {@link #begin}.
   */
  void gather(BlockSource src, int block, int[] tokens, FloatBuf dst, long dstOff);

  /** Every sequence has gathered block b: its buffers may take a later block. */
  void blockDone(int block);

  /** The forward is over (also after a failure). */
  void end();
}
