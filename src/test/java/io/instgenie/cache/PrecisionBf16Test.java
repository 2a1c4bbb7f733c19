package io.instgenie.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.ChildJvm;
import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.tensor.FloatBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BF16 segments: what {@link Precision#encode} writes and {@link Precision#gather} reads back are
 * the scalar conversions' bits, with the Vector API and, in a JVM without its module, without.
 */
class PrecisionBf16Test {
  private static final int HID = 37; // not a multiple of any vector width: every row has a tail
  private static final int ROWS = 9;

  @Test
  void aRoundTripGivesTheScalarBitsFromASegmentThatStartsPastZero() {
    assertTrue(Precision.VECTOR, "the test JVM has the incubator module");
    assertEquals("ok", roundTrip());
  }

  @Test
  void withoutTheIncubatorModuleTheScalarLoopsGiveTheSameBits(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("child.log");
    String out = ChildJvm.runWithoutVectorModule(WithoutTheModule.class, log);
    assertTrue(out.contains("vector=false round trip ok"), out);
  }

  /** Encodes ROWS rows, gathers three of them back; "ok" or what differed. */
  static String roundTrip() {
    SplittableRandom r = new SplittableRandom(3);
    FloatBuf src = FloatBuf.allocate((long) ROWS * HID);
    for (int i = 0; i < ROWS * HID; i++) src.set(i, Float.intBitsToFloat(r.nextInt()));
    src.set(5, Float.NaN);
    // a segment that is a slice of a larger buffer, positioned past its start
    ByteBuffer whole =
        ByteBuffer.allocateDirect(16 + 6 + (3 + ROWS * HID) * 2).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer seg = whole.position(16).slice().order(ByteOrder.LITTLE_ENDIAN).position(6);
    for (int row = 0; row < ROWS; row++)
      Precision.BF16.encode(src, row * HID, seg, 3 + row * HID, HID);
    int[] tokens = {4, 0, 7};
    FloatBuf dst = FloatBuf.allocate(2 + tokens.length * (HID + 5));
    // gather reads value index v at seg.position() + 2v; the encode above wrote row k at 3 + k·HID
    ByteBuffer shifted = seg.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(6 + 6);
    Precision.BF16.gather(shifted, HID, tokens, dst, 2, HID + 5);
    for (int i = 0; i < tokens.length; i++) {
      for (int j = 0; j < HID; j++) {
        float want = DType.bf16ToFloat(DType.floatToBf16(src.get(tokens[i] * HID + j)));
        float got = dst.get(2 + i * (HID + 5) + j);
        if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got))
          return "row " + tokens[i] + " value " + j + ": " + got + " instead of " + want;
      }
    }
    return "ok";
  }

  /** The same round trip in a JVM without the incubator module. */
  static final class WithoutTheModule {
    public static void main(String[] args) {
      System.out.println("vector=" + Precision.VECTOR + " round trip " + roundTrip());
    }
  }
}
