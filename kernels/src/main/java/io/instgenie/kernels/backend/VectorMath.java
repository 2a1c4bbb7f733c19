package io.instgenie.kernels.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Lane-wise math the Vector API lacks a fast form of (the CPU backend's and the trainer's). */
public final class VectorMath {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NO = ByteOrder.nativeOrder();

  private VectorMath() {}

  private static final float LOG2E = 1.44269504f;
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;

  /**
   * 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer in the low mantissa bits.
   */
  private static final float ROUNDER = 12582912f;

  /**
   * e^x for x in [−87, 87] (clamped outside), relative error below 3e-7: x = n·ln2 + r with |r| ≤
   * ln2/2, e^r by its degree-6 Taylor polynomial, 2^n built in the exponent bits. Cheaper than the
   * library EXP, and only plain lane operations.
   */
  public static FloatVector exp(FloatVector x) {
    x = x.max(-87f).min(87f);
    FloatVector shifted = x.mul(LOG2E).add(ROUNDER);
    FloatVector n = shifted.sub(ROUNDER);
    FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
    r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
    FloatVector p = FloatVector.broadcast(S, 1f / 720);
    p = p.fma(r, FloatVector.broadcast(S, 1f / 120));
    p = p.fma(r, FloatVector.broadcast(S, 1f / 24));
    p = p.fma(r, FloatVector.broadcast(S, 1f / 6));
    p = p.fma(r, FloatVector.broadcast(S, 0.5f));
    p = p.fma(r, FloatVector.broadcast(S, 1f));
    p = p.fma(r, FloatVector.broadcast(S, 1f));
    // the low bits of shifted hold n (two's complement); put n + 127 in the exponent field
    IntVector bits =
        shifted
            .reinterpretAsInts()
            .sub(Float.floatToRawIntBits(ROUNDER) - 127)
            .lanewise(VectorOperators.LSHL, 23);
    return p.mul(bits.reinterpretAsFloats());
  }

  /**
   * The n floats at byte {@code off} of {@code b} become e^(x − max), max over the n; returns their
   * sum (softmax's numerators and denominator, for the CPU backend's attention and the trainer's:
   * the same operations, so the same bits).
   */
  public static float expShiftedRow(ByteBuffer b, int off, int n) {
    int bound = S.loopBound(n);
    FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int j = 0;
    for (; j < bound; j += L) mx = mx.max(FloatVector.fromByteBuffer(S, b, off + j * 4, NO));
    float max = mx.reduceLanes(VectorOperators.MAX);
    for (; j < n; j++) max = Math.max(max, b.getFloat(off + j * 4));
    FloatVector acc = FloatVector.zero(S);
    for (j = 0; j < bound; j += L) {
      FloatVector e = exp(FloatVector.fromByteBuffer(S, b, off + j * 4, NO).sub(max));
      e.intoByteBuffer(b, off + j * 4, NO);
      acc = acc.add(e);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; j < n; j++) {
      float e = (float) Math.exp(b.getFloat(off + j * 4) - max);
      b.putFloat(off + j * 4, e);
      sum += e;
    }
    return sum;
  }

  /** The mean of the n floats at byte {@code off} of {@code b} (LayerNorm's first pass). */
  public static float mean(ByteBuffer b, int off, int n) {
    int bound = S.loopBound(n);
    FloatVector acc = FloatVector.zero(S);
    int j = 0;
    for (; j < bound; j += L) acc = acc.add(FloatVector.fromByteBuffer(S, b, off + j * 4, NO));
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; j < n; j++) sum += b.getFloat(off + j * 4);
    return sum / n;
  }

  /** 1/√(variance + eps) of the same n floats around their {@code mean} (LayerNorm's second). */
  public static float inverseStd(ByteBuffer b, int off, int n, float mean, float eps) {
    int bound = S.loopBound(n);
    FloatVector acc = FloatVector.zero(S);
    int j = 0;
    for (; j < bound; j += L) {
      FloatVector d = FloatVector.fromByteBuffer(S, b, off + j * 4, NO).sub(mean);
      acc = d.fma(d, acc);
    }
    float var = acc.reduceLanes(VectorOperators.ADD);
    for (; j < n; j++) {
      float d = b.getFloat(off + j * 4) - mean;
      var += d * d;
    }
    return (float) (1.0 / Math.sqrt(var / n + eps));
  }

  /** √(2/π), the constant of GELU's tanh form. */
  public static final float GELU_C = (float) Math.sqrt(2 / Math.PI);

  /**
   * 1 + e^(−2u), u = √(2/π)(x + 0.044715x³): GELU(x) = x / this, since 0.5·(1 + tanh u) = 1/(1 +
   * e^(−2u)).
   */
  public static FloatVector geluDenominator(FloatVector x) {
    FloatVector u = x.mul(x).mul(x).mul(0.044715f).add(x).mul(-2f * GELU_C);
    return exp(u).add(1f);
  }
}
