package io.instgenie.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The gather of many rows, which the kernel threads split: every row lands where one copy puts it.
 */
class PrecisionGatherTest {
  private static final int ROWS = 1000;
  private static final int HID = 24;
  private static final int LD = 40;
  private static final long OFF = 5;

  @Test
  @DisplayName("F32 and BF16 gathers of 600 shuffled rows at a stride equal a row-by-row decode")
  void manyRows() {
    Random rnd = new Random(3);
    int[] tokens = new int[600];
    for (int i = 0; i < tokens.length; i++) tokens[i] = rnd.nextInt(ROWS);
    for (Precision p : Precision.values()) {
      ByteBuffer seg =
          ByteBuffer.allocateDirect(ROWS * HID * p.bytes()).order(ByteOrder.LITTLE_ENDIAN);
      float[] values = new float[ROWS * HID];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) rnd.nextGaussian();
        if (p == Precision.F32) {
          seg.putFloat(i * 4, values[i]);
        } else {
          short bits = DType.floatToBf16(values[i]);
          seg.putShort(i * 2, bits);
          values[i] = DType.bf16ToFloat(bits);
        }
      }
      FloatBuf dst = FloatBuf.allocate(OFF + (long) tokens.length * LD);
      dst.fill(0, dst.size(), -7f);
      p.gather(seg, HID, tokens, dst, OFF, LD);
      for (int i = 0; i < tokens.length; i++) {
        for (int j = 0; j < LD; j++) {
          float want = j < HID ? values[tokens[i] * HID + j] : -7f;
          assertEquals(want, dst.get(OFF + (long) i * LD + j), p + " row " + i + " col " + j);
        }
      }
      assertEquals(-7f, dst.get(OFF - 1), p + ": nothing before the offset");
    }
  }
}
