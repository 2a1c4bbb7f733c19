package io.instgenie.kernels.dit;

import java.util.List;

/**
 * Where each sequence's rows sit in the packed activation matrix: all computed rows (prompt, then
 * active image tokens, per sequence) first, then all cached rows (inactive image tokens). So every
 * linear layer is one GEMM over a contiguous row range for the whole batch, without padding.
 */
final class BatchLayout {
  final int[] activeStart;
  final int[] activeRows;
  final int[] inactiveStart;
  final int[] inactiveRows;

  /** Rows of the computed region, [0, activeTotal). */
  final int activeTotal;

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
      inactiveStart[s] = row;
      inactiveRows[s] = seqs.get(s).inactive.length;
      row += inactiveRows[s];
    }
    total = row;
  }
}
