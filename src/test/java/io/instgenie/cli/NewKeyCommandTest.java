package io.instgenie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.http.auth.KeyRing;
import io.instgenie.verticles.http.auth.Role;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NewKeyCommandTest {
  @Test
  @DisplayName("new-key prints a secret and a keys-file line whose sha256 finds that secret")
  void printsSecretAndLine() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code =
          Main.run(
              "new-key",
              "--id",
              "k9",
              "--tenant",
              "acme",
              "--role",
              "admin",
              "--max-unfinished",
              "3",
              "--priority",
              "batch");
    } finally {
      System.setOut(old);
    }
    assertEquals(0, code);
    String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertTrue(lines[0].startsWith("secret: ig_"), lines[0]);
    String secret = lines[0].substring("secret: ".length());
    String json = lines[1].substring("keys file line: ".length());
    JsonObject line = new JsonObject(json);
    assertEquals(3, line.getInteger("max_unfinished"));
    KeyRing ring = KeyRing.parse("{\"keys\":[" + json + "]}", "printed");
    assertEquals("k9", ring.find(secret).id());
    assertEquals(Role.ADMIN, ring.find(secret).role());
  }

  @Test
  @DisplayName("a bad role exits 2 with one line")
  void badRole() {
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(err, true), "new-key", "--id", "k", "--tenant", "t", "--role", "root");
    assertEquals(Main.BAD_INPUT, code);
    assertTrue(err.toString().contains("role must be user or admin"), err.toString());
  }
}
