package io.instgenie.verticles.http.auth;

import io.instgenie.verticles.policy.Priority;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys of one version of the keys file, immutable. {@link #find} hashes the presented secret
 * and compares it with every key's hash in constant time ({@link MessageDigest#isEqual}), so
 * neither the comparison nor the number of keys compared tells a guesser how close it came.
 */
public final class KeyRing {
  private static final Set<String> FIELDS =
      Set.of(
          "id",
          "tenant",
          "sha256",
          "role",
          "max_unfinished",
          "requests_per_second",
          "burst",
          "priority",
          "webhook_secret");

  private final List<ApiKey> keys;
  private final Map<String, TenantLimits> tenants;

  private KeyRing(List<ApiKey> keys) {
    this.keys = List.copyOf(keys);
    Map<String, TenantLimits> t = new HashMap<>();
    for (ApiKey k : keys) t.merge(k.tenant(), k.limits(), TenantLimits::stricter);
    this.tenants = Map.copyOf(t);
  }

  /** The key whose secret this is, or null. */
  public ApiKey find(String secret) {
    byte[] presented = sha256(secret);
    ApiKey found = null;
    for (ApiKey k : keys) if (MessageDigest.isEqual(k.sha256(), presented)) found = k;
    return found;
  }

  /** A tenant's limits: the strictest any of its keys declares. */
  public TenantLimits limits(String tenant) {
    return tenants.getOrDefault(tenant, TenantLimits.NONE);
  }

  public int size() {
    return keys.size();
  }

  /** The hex SHA-256 of a secret's UTF-8 bytes, as the keys file stores it. */
  public static String sha256Hex(String secret) {
    return HexFormat.of().formatHex(sha256(secret));
  }

  static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Parses the keys file; anything wrong is an {@link IllegalArgumentException} naming it. */
  public static KeyRing parse(String json, String source) {
    Object root;
    try {
      root = Json.decodeValue(json);
    } catch (DecodeException e) {
      throw bad(source, "is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (!(root instanceof JsonObject r) || !(r.getValue("keys") instanceof JsonArray array))
      throw bad(source, "must hold {\"keys\": [...]}");
    List<ApiKey> keys = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject o))
        throw bad(source, "keys[" + i + "] must be an object");
      ApiKey k;
      try {
        k = key(o);
      } catch (IllegalArgumentException | ClassCastException e) {
        throw bad(source, "keys[" + i + "]: " + e.getMessage());
      }
      if (!ids.add(k.id())) throw bad(source, "keys[" + i + "]: id '" + k.id() + "' is repeated");
      if (!hashes.add(HexFormat.of().formatHex(k.sha256())))
        throw bad(source, "keys[" + i + "]: its sha256 is another key's too");
      keys.add(k);
    }
    return new KeyRing(keys);
  }

  private static ApiKey key(JsonObject o) {
    for (String f : o.fieldNames())
      if (!FIELDS.contains(f))
        throw new IllegalArgumentException("unknown field '" + f + "' (known: " + FIELDS + ")");
    String hex = required(o, "sha256");
    if (!hex.matches("[0-9a-fA-F]{64}"))
      throw new IllegalArgumentException("sha256 must be 64 hex digits");
    String priority = o.getString("priority");
    return new ApiKey(
        required(o, "id"),
        required(o, "tenant"),
        HexFormat.of().parseHex(hex.toLowerCase()),
        Role.parse(required(o, "role")),
        new TenantLimits(
            whole(o, "max_unfinished"),
            o.getValue("requests_per_second") == null
                ? 0
                : ((Number) o.getValue("requests_per_second")).doubleValue(),
            whole(o, "burst")),
        priority == null ? Priority.INTERACTIVE : Priority.parse(priority),
        o.getString("webhook_secret"));
  }

  private static String required(JsonObject o, String field) {
    String v = o.getString(field);
    if (v == null || v.isBlank()) throw new IllegalArgumentException(field + " is missing");
    return v;
  }

  private static int whole(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) return 0;
    if (!(v instanceof Integer i) || i < 0)
      throw new IllegalArgumentException(field + " must be a whole number >= 0, got " + v);
    return i;
  }

  private static IllegalArgumentException bad(String source, String what) {
    return new IllegalArgumentException("keys file " + source + ": " + what);
  }
}
