package io.instgenie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code instgenie simulate --json}: the documented keys per policy. */
class SimulateCommandTest {
  @Test
  @DisplayName("simulate --json reports mean_ms, p95_ms and throughput_rps per policy")
  void jsonKeys() throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      rc =
          Main.run("simulate", "--workers", "2", "--requests", "150", "--templates", "6", "--json");
    } finally {
      System.setOut(old);
    }
    assertEquals(0, rc);
    JsonNode doc = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    JsonNode policies = doc.get("policies");
    assertEquals(4, policies.size(), "every policy by default: " + policies);
    for (String p :
        new String[] {"cost", "round-robin", "fewest-requests", "fewest-masked-tokens"}) {
      JsonNode r = policies.get(p);
      assertTrue(r != null, p + " missing");
      assertEquals(150, r.get("completed").asInt(), p);
      for (String k : new String[] {"mean_ms", "p95_ms", "throughput_rps"})
        assertTrue(r.get(k).asDouble() > 0, p + "." + k + " = " + r.get(k));
    }
  }
}
