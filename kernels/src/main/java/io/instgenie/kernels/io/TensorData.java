package io.instgenie.kernels.io;

import java.util.Arrays;
import java.util.Objects;

/** A tensor as float32 values, row-major, with its shape and on-disk dtype; arrays not copied. */
public record TensorData(DType storedAs, long[] shape, float[] data) {

  public TensorData {
    Objects.requireNonNull(storedAs, "storedAs");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    long elements = product(shape);
    if (elements != data.length) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " holds "
              + elements
              + " elements but data has "
              + data.length);
    }
  }

  /** Number of elements, the product of the shape (1 for a scalar). */
  public long elements() {
    return data.length;
  }

  /** Product of the dimensions; rejects negative dimensions and overflow. */
  static long product(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " overflows a long", e);
      }
    }
    return n;
  }
}
