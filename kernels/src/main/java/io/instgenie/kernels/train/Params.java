package io.instgenie.kernels.train;

import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.io.TensorData;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.WeightNames;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A full set of model-shaped tensors in canonical order ({@link WeightNames}): the weights being
 * trained, their gradients, the optimizer moments or the EMA, all off-heap.
 */
final class Params {
  private final Map<String, FloatBuf> tensors;
  private final Map<String, long[]> shapes;

  private Params(Map<String, FloatBuf> tensors, Map<String, long[]> shapes) {
    this.tensors = tensors;
    this.shapes = shapes;
  }

  static Params zeros(ModelConfig c) {
    Map<String, long[]> shapes = WeightNames.expected(c);
    Map<String, FloatBuf> t = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long n = 1;
      for (long d : e.getValue()) n *= d;
      t.put(e.getKey(), FloatBuf.allocate(n));
    }
    return new Params(t, shapes);
  }

  /** Copies values from heap tensors (names and shapes as {@link WeightNames} expects). */
  static Params of(ModelConfig c, Map<String, TensorData> values) {
    Params p = zeros(c);
    for (Map.Entry<String, FloatBuf> e : p.tensors.entrySet()) {
      TensorData t = values.get(e.getKey());
      if (t == null) throw new IllegalArgumentException("missing tensor '" + e.getKey() + "'");
      if (t.data().length != e.getValue().size()) {
        throw new IllegalArgumentException("tensor '" + e.getKey() + "' has the wrong size");
      }
      e.getValue().copyFrom(t.data(), 0, 0, t.data().length);
    }
    return p;
  }

  FloatBuf get(String name) {
    FloatBuf b = tensors.get(name);
    if (b == null) throw new IllegalArgumentException("no tensor '" + name + "'");
    return b;
  }

  Map<String, FloatBuf> all() {
    return tensors;
  }

  long[] shape(String name) {
    return shapes.get(name);
  }

  void zero() {
    for (FloatBuf b : tensors.values()) b.fill(0, b.size(), 0f);
  }

  void copyFrom(Params other) {
    for (Map.Entry<String, FloatBuf> e : tensors.entrySet()) {
      e.getValue().copyFrom(other.get(e.getKey()), 0, 0, e.getValue().size());
    }
  }

  /** this += other, tensor by tensor. */
  void add(Params other) {
    for (Map.Entry<String, FloatBuf> e : tensors.entrySet()) {
      FloatBuffer a = e.getValue().floats();
      FloatBuffer b = other.get(e.getKey()).floats();
      for (int i = 0, n = (int) e.getValue().size(); i < n; i++) a.put(i, a.get(i) + b.get(i));
    }
  }

  /** Euclidean norm over every tensor. */
  double norm() {
    double s = 0;
    for (FloatBuf b : tensors.values()) {
      FloatBuffer f = b.floats();
      for (int i = 0, n = (int) b.size(); i < n; i++) s += (double) f.get(i) * f.get(i);
    }
    return Math.sqrt(s);
  }

  void scale(float k) {
    for (FloatBuf b : tensors.values()) {
      FloatBuffer f = b.floats();
      for (int i = 0, n = (int) b.size(); i < n; i++) f.put(i, f.get(i) * k);
    }
  }

  /** Heap copies in canonical order, for writing. */
  Map<String, TensorData> toTensors() {
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Map.Entry<String, FloatBuf> e : tensors.entrySet()) {
      FloatBuf b = e.getValue();
      out.put(
          e.getKey(),
          new TensorData(DType.F32, shapes.get(e.getKey()), b.toArray(0, (int) b.size())));
    }
    return out;
  }
}
