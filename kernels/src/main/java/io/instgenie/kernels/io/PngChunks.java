package io.instgenie.kernels.io;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** PNG chunk-structure check: ImageIO may half-decode a truncated PNG instead of failing. */
final class PngChunks {
  static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private PngChunks() {}

  /** Whether the bytes start with the PNG signature. */
  static boolean hasSignature(byte[] bytes) {
    if (bytes.length < SIGNATURE.length) {
      return false;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (bytes[i] != SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /** What is wrong with the chunks from IHDR to IEND (bounds, CRCs), or null if sound. */
  static String problem(byte[] bytes) {
    int pos = SIGNATURE.length;
    boolean sawData = false;
    while (true) {
      if (pos + 8 > bytes.length) {
        return "truncated: the file ends at byte " + bytes.length + " before the IEND chunk";
      }
      long length = u32(bytes, pos);
      String type = new String(bytes, pos + 4, 4, StandardCharsets.ISO_8859_1);
      if (length > bytes.length - pos - 12L) {
        return "truncated: chunk "
            + type
            + " at byte "
            + pos
            + " declares "
            + length
            + " bytes but the file ends first";
      }
      int dataEnd = pos + 8 + (int) length;
      if (crc(bytes, pos + 4, dataEnd) != u32(bytes, dataEnd)) {
        return "corrupted: chunk " + type + " at byte " + pos + " fails its CRC check";
      }
      if (pos == SIGNATURE.length && !type.equals("IHDR")) {
        return "the first chunk is " + type + ", not IHDR";
      }
      if (pos == SIGNATURE.length) {
        if (length != 13) return "its IHDR chunk has " + length + " bytes, not 13";
        long w = u32(bytes, pos + 8);
        long h = u32(bytes, pos + 12);
        // PNG allows 1 to 2^31 − 1 each way
        if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
          return "its header declares a " + w + "x" + h + " image";
        }
      }
      sawData |= type.equals("IDAT");
      if (type.equals("IEND")) {
        // Bytes after IEND are ignored, as decoders do.
        return sawData ? null : "it has no IDAT (image data) chunk";
      }
      pos = dataEnd + 4;
    }
  }

  /** CRC-32 of the chunk type and data, which is what the PNG CRC covers. */
  private static long crc(byte[] bytes, int from, int to) {
    CRC32 crc = new CRC32();
    crc.update(bytes, from, to - from);
    return crc.getValue();
  }

  private static long u32(byte[] b, int at) {
    return ((b[at] & 0xFFL) << 24)
        | ((b[at + 1] & 0xFFL) << 16)
        | ((b[at + 2] & 0xFFL) << 8)
        | (b[at + 3] & 0xFFL);
  }
}
