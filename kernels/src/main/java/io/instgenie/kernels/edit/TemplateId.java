package io.instgenie.kernels.edit;

import io.instgenie.kernels.io.RgbImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Template id: SHA-256 of the decoded pixels, the model digest and the step count (hex). */
public final class TemplateId {
  private TemplateId() {}

  public static String of(RgbImage image, String modelDigest, int steps) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ByteBuffer.allocate(8).putInt(image.width()).putInt(image.height()).array());
      sha.update(image.pixels());
      sha.update(modelDigest.getBytes(StandardCharsets.US_ASCII));
      sha.update(ByteBuffer.allocate(4).putInt(steps).array());
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
