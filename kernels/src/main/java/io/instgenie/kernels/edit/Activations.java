package io.instgenie.kernels.edit;

import io.instgenie.kernels.cached.BlockSink;
import io.instgenie.kernels.cached.BlockSource;
import io.instgenie.kernels.cached.CacheKind;

/**
 * A template's cached rows (block outputs, or keys and values), per denoising step: written by its
 * template run, read by edits.
 */
public interface Activations {
  int steps();

  /** What the template run records and edits read; Y unless the activations hold K/V. */
  default CacheKind kind() {
    return CacheKind.Y;
  }

  BlockSink sink(int step);

  BlockSource source(int step);
}
