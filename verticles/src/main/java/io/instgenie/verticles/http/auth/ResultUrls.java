package io.instgenie.verticles.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Result URLs that work without an API key, as object stores sign theirs: {@code
 * /results/<id>?expires=<unix s>&sig=<hex HMAC-SHA256(secret, id + "." + expires)>}. Whoever holds
 * the URL may fetch that one image until it expires; nothing else. The secret is the service's
 * {@code result_url_secret} (the same on every node of a cluster), else a random one per process
 * (URLs then die with it).
 */
public final class ResultUrls {
  /** The path prefix of result URLs (outside {@code /v1}: no API key). */
  public static final String PREFIX = "/results/";

  private final String secret;
  private final long ttlSeconds;

  public ResultUrls(String secret, long ttlSeconds) {
    if (ttlSeconds < 1) throw new IllegalArgumentException("ttl must be >= 1 s");
    this.secret = secret != null ? secret : randomSecret();
    this.ttlSeconds = ttlSeconds;
  }

  /** The signed path of an edit's image, valid for the TTL from {@code nowSeconds}. */
  public String path(String id, long nowSeconds) {
    long expires = nowSeconds + ttlSeconds;
    return PREFIX + id + "?expires=" + expires + "&sig=" + sign(id, expires);
  }

  /**
   * Whether {@code sig} signs {@code id} until {@code expires} and that is not past {@code
   * nowSeconds}; the signature is compared in constant time.
   */
  public boolean valid(String id, String expires, String sig, long nowSeconds) {
    if (id == null || expires == null || sig == null) return false;
    long e;
    try {
      e = Long.parseLong(expires);
    } catch (NumberFormatException ex) {
      return false;
    }
    byte[] expected = sign(id, e).getBytes(StandardCharsets.US_ASCII);
    byte[] given = sig.toLowerCase().getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given) && nowSeconds <= e;
  }

  private String sign(String id, long expires) {
    return Hmac.sha256Hex(secret, id + "." + expires);
  }

  private static String randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
