package io.instgenie.kernels.backend;

import io.instgenie.kernels.io.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * BF16 to float and back on the Vector API, for the cache's BF16 segments. A class of its own: its
 * short lanes are half the preferred float width, a shape some JVMs lack (a 64-bit preferred shape
 * has no 32-bit half), and then only this class fails to load — its callers probe it and keep their
 * scalar loops, and {@link VectorMath} is untouched.
 */
public final class Bf16Lanes {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Ints as wide as {@link #S}: a float's bits. */
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());

  /** Shorts with {@link #L} lanes: BF16 values, half {@link #S}'s width. */
  private static final VectorSpecies<Short> H =
      VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));

  private Bf16Lanes() {}

  /**
   * n BF16 values from byte {@code inOff} of {@code in} (its byte order) widened to floats at byte
   * {@code outOff} of {@code out} (its byte order): bit for bit {@link DType#bf16ToFloat}, a BF16
   * value being the top half of a float. About 4x the speed of the scalar loop on a cache gather's
   * rows (BENCHMARKS.md, issue 19).
   */
  public static void widen(ByteBuffer in, int inOff, ByteBuffer out, int outOff, int n) {
    ByteOrder io = in.order();
    ByteOrder oo = out.order();
    int bound = n - n % L;
    int j = 0;
    for (; j < bound; j += L) {
      ShortVector h = ShortVector.fromByteBuffer(H, in, inOff + j * 2, io);
      ((IntVector) h.convertShape(VectorOperators.S2I, I, 0))
          .lanewise(VectorOperators.LSHL, 16)
          .reinterpretAsFloats()
          .intoByteBuffer(out, outOff + j * 4, oo);
    }
    for (; j < n; j++) {
      out.putFloat(outOff + j * 4, DType.bf16ToFloat(in.getShort(inOff + j * 2)));
    }
  }

  /**
   * n floats from byte {@code inOff} of {@code in} narrowed to BF16 at byte {@code outOff} of
   * {@code out} (each buffer's byte order), rounding to nearest even with NaN kept NaN: bit for bit
   * {@link DType#floatToBf16}.
   */
  public static void narrow(ByteBuffer in, int inOff, ByteBuffer out, int outOff, int n) {
    ByteOrder io = in.order();
    ByteOrder oo = out.order();
    int bound = n - n % L;
    int j = 0;
    for (; j < bound; j += L) {
      FloatVector v = FloatVector.fromByteBuffer(S, in, inOff + j * 4, io);
      IntVector bits = v.reinterpretAsInts();
      IntVector top = bits.lanewise(VectorOperators.LSHR, 16);
      IntVector rounded = bits.add(top.and(1).add(0x7FFF)).lanewise(VectorOperators.LSHR, 16);
      VectorMask<Integer> nan = v.test(VectorOperators.IS_NAN).cast(I);
      ((IntVector) rounded.blend(top.or(0x0040), nan))
          .convertShape(VectorOperators.I2S, H, 0)
          .reinterpretAsShorts()
          .intoByteBuffer(out, outOff + j * 2, oo);
    }
    for (; j < n; j++) {
      out.putShort(outOff + j * 2, DType.floatToBf16(in.getFloat(inOff + j * 4)));
    }
  }
}
