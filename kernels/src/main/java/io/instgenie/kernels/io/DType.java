package io.instgenie.kernels.io;

/** Element types a tensor may be stored as on disk; in memory every tensor is float32. */
public enum DType {
  F32(4),
  F16(2),
  BF16(2);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** The dtype string used in safetensors headers. */
  public String safetensorsName() {
    return name();
  }

  /** Bytes per stored element. */
  public int bytes() {
    return bytes;
  }

  /** Parses a safetensors dtype string such as "BF16". */
  public static DType parse(String name) {
    for (DType d : values()) {
      if (d.safetensorsName().equals(name)) {
        return d;
      }
    }
    throw new ModelFormatException(
        "unsupported dtype '" + name + "'; supported dtypes are F32, F16 and BF16");
  }

  /** bfloat16 is the top half of a float32, so widening is a shift. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** Narrows to bfloat16, rounding to nearest even; overflow becomes infinity, NaN stays NaN. */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      // Truncating could clear every mantissa bit and turn NaN into infinity; force the quiet bit.
      return (short) ((bits >>> 16) | 0x0040);
    }
    int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  /** Widens an IEEE 754 binary16 value, including subnormals, infinities and NaN. */
  public static float f16ToFloat(short bits) {
    int h = bits & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0) {
      // Zero or subnormal: mantissa * 2^-24, exact in float32.
      float magnitude = mantissa * 0x1p-24f;
      return sign != 0 ? -magnitude : magnitude;
    }
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    // Rebias the exponent from 15 to 127.
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
