package io.instgenie.kernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.kernels.io.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vectorised BF16 conversions give the scalar ones' bits, tails and byte orders included. */
class Bf16VectorTest {
  /** Random bit patterns plus the values where rounding and NaN handling differ. */
  private static float[] values(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = Float.intBitsToFloat(r.nextInt());
    float[] special = {
      0f,
      -0f,
      1f,
      -1.5f,
      Float.NaN,
      Float.intBitsToFloat(0x7F800001), // NaN only the low bit set
      Float.intBitsToFloat(0xFF800001),
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.MAX_VALUE,
      Float.MIN_VALUE,
      Float.intBitsToFloat(0x3F808000), // a tie, even: down
      Float.intBitsToFloat(0x3F818000), // a tie, odd: up
      Float.intBitsToFloat(0x7F7FFFFF) // rounds up to infinity
    };
    System.arraycopy(special, 0, v, 0, Math.min(n, special.length));
    return v;
  }

  @Test
  void narrowingMatchesTheScalarRoundingBitForBit() {
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      for (int n : new int[] {0, 1, 7, 16, 33, 515}) {
        float[] v = values(n, n);
        ByteBuffer in = ByteBuffer.allocateDirect(4 * n + 12).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) in.putFloat(12 + 4 * i, v[i]);
        ByteBuffer out = ByteBuffer.allocate(2 * n + 6).order(order);
        Bf16Lanes.narrow(in, 12, out, 6, n);
        for (int i = 0; i < n; i++)
          assertEquals(
              DType.floatToBf16(v[i]), out.getShort(6 + 2 * i), order + " n " + n + " at " + i);
      }
    }
  }

  @Test
  void wideningMatchesTheScalarShiftBitForBit() {
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      for (int n : new int[] {0, 1, 7, 16, 33, 515}) {
        SplittableRandom r = new SplittableRandom(n);
        ByteBuffer in = ByteBuffer.allocate(2 * n + 2).order(order);
        short[] h = new short[n];
        for (int i = 0; i < n; i++) in.putShort(2 + 2 * i, h[i] = (short) r.nextInt());
        ByteBuffer out = ByteBuffer.allocateDirect(4 * n + 8).order(ByteOrder.nativeOrder());
        Bf16Lanes.widen(in, 2, out, 8, n);
        for (int i = 0; i < n; i++) {
          assertEquals(
              Float.floatToRawIntBits(DType.bf16ToFloat(h[i])),
              Float.floatToRawIntBits(out.getFloat(8 + 4 * i)),
              order + " n " + n + " at " + i);
        }
      }
    }
  }

  @Test
  void everyBf16ValueWidensToTheScalarBits() {
    int n = 1 << 16;
    ByteBuffer in = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) in.putShort(2 * i, (short) i);
    ByteBuffer out = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
    Bf16Lanes.widen(in, 0, out, 0, n);
    for (int i = 0; i < n; i++) {
      assertEquals(
          Float.floatToRawIntBits(DType.bf16ToFloat((short) i)),
          Float.floatToRawIntBits(out.getFloat(4 * i)),
          "bf16 " + Integer.toHexString(i));
    }
  }
}
