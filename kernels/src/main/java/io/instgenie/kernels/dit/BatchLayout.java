package io.instgenie.kernels.dit;

import java.util.List;

/**
 * Where each sequence's rows sit in the packed activation matrix: all computed rows (prompt, then
 * active image tokens, per sequence) first, then all cached rows (inactive image tokens). So every
 * linear layer is one GEMM over a contiguous row range for the whole batch, without padding. Among
 * the cached rows, those of Y-cache sequences come first and those of K/V-cache sequences last
 * ([kvStart, total)): only the former need K and V projected in a cached block.
 */
final class BatchLayout {
  final int[] activeStart;
  final int[] activeRows;
  final int[] inactiveStart;
  final int[] inactiveRows;

  /** Rows of the computed region, [0, activeTotal). */
  final int activeTotal;

  /** First cached row of a K/V-cache sequence; {@code total} when there is none. */
  final int kvStart;

  /** All rows. */
  final int total;

  BatchLayout(List<Sequence> seqs, int promptTokens) {
    int n = seqs.size();
    activeStart = new int[n];
    activeRows = new int[n];
    inactiveStart = new int[n];
    inactiveRows = new int[n];
    int row = 0;
    for (int s = 0; s < n; s++) {
      activeStart[s] = row;
      activeRows[s] = promptTokens + seqs.get(s).active.length;
      row += activeRows[s];
    }
    activeTotal = row;
    for (int s = 0; s < n; s++) {
      if (seqs.get(s).readsKv()) continue;
      inactiveStart[s] = row;
      inactiveRows[s] = seqs.get(s).inactive.length;
      row += inactiveRows[s];
    }
    kvStart = row;
    for (int s = 0; s < n; s++) {
      if (!seqs.get(s).readsKv()) continue;
      inactiveStart[s] = row;
      inactiveRows[s] = seqs.get(s).inactive.length;
      row += inactiveRows[s];
    }
    total = row;
  }
}
