package io.instgenie.kernels.edit;

import io.instgenie.kernels.dit.BlockSink;
import io.instgenie.kernels.dit.BlockSource;

/**
 * A template's cached block outputs, per denoising step: written by its template run, read by
 * edits.
 */
public interface Activations {
  int steps();

  BlockSink sink(int step);

  BlockSource source(int step);
}
