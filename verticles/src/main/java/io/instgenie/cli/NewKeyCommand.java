package io.instgenie.cli;

import io.instgenie.verticles.http.auth.KeyRing;
import io.instgenie.verticles.http.auth.Role;
import io.instgenie.verticles.policy.Priority;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code instgenie new-key}: a new API key's secret and the line of the keys file that holds it.
 */
@Command(
    name = "new-key",
    description =
        "Print a new API key: its secret (give it to the client, it is shown once) and its line"
            + " for the keys file (which stores only the secret's SHA-256).")
final class NewKeyCommand implements Callable<Integer> {
  @Option(names = "--id", required = true, description = "the key's id (unique in the file)")
  String id;

  @Option(names = "--tenant", required = true, description = "whose edits the key sends and sees")
  String tenant;

  @Option(
      names = "--role",
      defaultValue = "user",
      description = "user or admin (default: ${DEFAULT-VALUE})")
  String role;

  @Option(names = "--max-unfinished", description = "the tenant's most unfinished edits")
  Integer maxUnfinished;

  @Option(names = "--requests-per-second", description = "the tenant's request rate")
  Double requestsPerSecond;

  @Option(names = "--burst", description = "requests the tenant may send at once")
  Integer burst;

  @Option(names = "--priority", description = "interactive or batch: the key's default class")
  String priority;

  @Option(names = "--webhook-secret", description = "signs this key's webhooks")
  String webhookSecret;

  @Override
  public Integer call() {
    if (id.isBlank() || tenant.isBlank())
      throw new IllegalArgumentException("--id and --tenant must not be blank");
    if (webhookSecret != null && webhookSecret.isBlank())
      throw new IllegalArgumentException("--webhook-secret must not be blank");
    Role r = Role.parse(role);
    JsonObject line =
        new JsonObject()
            .put("id", id)
            .put("tenant", tenant)
            .put("sha256", "")
            .put("role", r.wire());
    if (maxUnfinished != null)
      line.put("max_unfinished", positive(maxUnfinished, "max-unfinished"));
    if (requestsPerSecond != null) {
      if (!(requestsPerSecond > 0) || requestsPerSecond.isInfinite())
        throw new IllegalArgumentException("--requests-per-second must be a number > 0");
      line.put("requests_per_second", requestsPerSecond);
    }
    if (burst != null) line.put("burst", positive(burst, "burst"));
    if (priority != null) line.put("priority", Priority.parse(priority).configName());
    if (webhookSecret != null) line.put("webhook_secret", webhookSecret);
    String secret = newSecret();
    line.put("sha256", KeyRing.sha256Hex(secret));
    System.out.println("secret: " + secret);
    System.out.println("keys file line: " + line.encode());
    return 0;
  }

  /** 32 random bytes, URL-safe base64, with a prefix that says what it is. */
  static String newSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return "ig_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static int positive(int v, String name) {
    if (v < 1) throw new IllegalArgumentException("--" + name + " must be >= 1, got " + v);
    return v;
  }
}
