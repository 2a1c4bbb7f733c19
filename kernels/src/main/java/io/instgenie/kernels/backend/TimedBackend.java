package io.instgenie.kernels.backend;

import io.instgenie.kernels.tensor.FloatBuf;
import java.util.EnumMap;
import java.util.Map;

/**
 * A backend that times every operation of another: where a step's time goes, per kind of kernel
 * ({@code bench engine --profile}). Host backends compute when called, so the wall time of a call
 * is the kernel's; a device backend's calls return before the kernel ends and would read as launch
 * costs. Not thread-safe: one forward at a time.
 */
public final class TimedBackend implements Backend {
  /** The kinds of operation, in the order a block runs them. */
  public enum Op {
    LAYER_NORM,
    LINEAR,
    ATTENTION,
    GATED_ADD,
    GELU,
    SILU
  }

  private final Backend inner;
  private final EnumMap<Op, Long> nanos = new EnumMap<>(Op.class);

  public TimedBackend(Backend inner) {
    this.inner = inner;
    reset();
  }

  /** Forgets every time so far. */
  public void reset() {
    for (Op op : Op.values()) nanos.put(op, 0L);
  }

  /** Nanoseconds spent per kind of operation since the last {@link #reset}. */
  public Map<Op, Long> nanos() {
    return new EnumMap<>(nanos);
  }

  private void add(Op op, long t0) {
    nanos.merge(op, System.nanoTime() - t0, Long::sum);
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void run(Runnable work) {
    inner.run(work);
  }

  @Override
  public void hostWrote(FloatBuf b, long off, long n) {
    inner.hostWrote(b, off, n);
  }

  @Override
  public void hostReads(FloatBuf b, long off, long n) {
    inner.hostReads(b, off, n);
  }

  @Override
  public void release(FloatBuf b) {
    inner.release(b);
  }

  @Override
  public void linear(Rows y, Rows x, Dense w, int m, int n, int k, boolean accumulate) {
    long t0 = System.nanoTime();
    inner.linear(y, x, w, m, n, k, accumulate);
    add(Op.LINEAR, t0);
  }

  @Override
  public void layerNormModulate(Rows y, Rows x, int rows, int h, Modulation mod, float eps) {
    long t0 = System.nanoTime();
    inner.layerNormModulate(y, x, rows, h, mod, eps);
    add(Op.LAYER_NORM, t0);
  }

  @Override
  public void geluTanh(FloatBuf x, long off, long n) {
    long t0 = System.nanoTime();
    inner.geluTanh(x, off, n);
    add(Op.GELU, t0);
  }

  @Override
  public void silu(FloatBuf y, long yOff, FloatBuf x, long xOff, long n) {
    long t0 = System.nanoTime();
    inner.silu(y, yOff, x, xOff, n);
    add(Op.SILU, t0);
  }

  @Override
  public void gatedAdd(
      FloatBuf x, long xOff, FloatBuf y, long yOff, FloatBuf gate, long gateOff, int rows, int h) {
    long t0 = System.nanoTime();
    inner.gatedAdd(x, xOff, y, yOff, gate, gateOff, rows, h);
    add(Op.GATED_ADD, t0);
  }

  @Override
  public void attention(Rows out, Rows qkv, Span q, Span kv1, Span kv2, int heads, int d) {
    long t0 = System.nanoTime();
    inner.attention(out, qkv, q, kv1, kv2, heads, d);
    add(Op.ATTENTION, t0);
  }
}
