package io.instgenie.kernels.train;

import io.instgenie.kernels.tensor.FloatBuf;

/**
 * One batch's modulation vectors as the modulation and gate kernels read them: image i's chunk k
 * (shift, scale or gate; {@code hid} values) starts at {@code values[i·perImage + k·hid]} and
 * applies to that image's {@code rows} consecutive rows of the activations; the backward kernels
 * add the chunks' gradients at the same places of {@code grads}.
 */
record Mods(FloatBuf values, FloatBuf grads, int perImage, int images, int rows, int hid) {
  /** Where image i's chunk k starts, in floats. */
  int chunk(int image, int k) {
    return image * perImage + k * hid;
  }
}
