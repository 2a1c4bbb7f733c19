package io.instgenie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench serve --scheduling ... --load F --json} on a tiny, short configuration. */
class BenchServeSchedulingTest {
  @Test
  @DisplayName(
      "bench serve --scheduling static,fcfs,srpt --load 0.9 --json: one object per mode with"
          + " mean_ms, p95_ms, throughput_rps, capacity_rps and the ETA's error; every request"
          + " completes in every mode")
  void jsonPerMode() throws Exception {
    JsonNode doc =
        runJson(
            "bench",
            "serve",
            "--preset",
            "tiny",
            "--scheduling",
            "static,fcfs,srpt",
            "--steps",
            "2,4",
            "--requests",
            "6",
            "--templates",
            "2",
            "--load",
            "0.9",
            "--interactive",
            "0.5",
            "--json");
    double capacity = doc.get("capacity_rps").asDouble();
    assertTrue(capacity > 0, "static capacity measured: " + doc);
    assertEquals(0.9 * capacity, doc.get("rate_rps").asDouble(), 1e-9);
    for (String m : new String[] {"static", "fcfs", "srpt"}) {
      JsonNode r = doc.get(m);
      assertTrue(r != null, m + " missing: " + doc);
      assertEquals(6, r.get("completed").asInt(), m);
      for (String k : new String[] {"mean_ms", "p95_ms", "throughput_rps", "capacity_rps"})
        assertTrue(r.get(k).asDouble() > 0, m + "." + k + " = " + r.get(k));
      assertTrue(r.get("eta_samples").asInt() > 0, m + ": no edit carried an ETA: " + r);
      // the signed errors' median lies within the absolute errors' P95
      assertTrue(
          r.get("eta_error_p95").asDouble() >= Math.abs(r.get("eta_bias_median").asDouble()),
          m + ": " + r);
    }
    assertTrue(doc.get("interactive_idle_mean_ms").asDouble() > 0, doc.toString());
    assertEquals(1, doc.get("interactive_idle_runs_ms").size(), doc.toString());
    assertEquals("tiny", doc.get("preset").asText(), "the sizes head the JSON: " + doc);
    assertEquals(6, doc.get("requests").asInt());
    StringWriter bad = new StringWriter();
    assertEquals(
        Main.BAD_INPUT,
        Main.run(new PrintWriter(bad, true), "bench", "serve", "--scheduling", "lifo"),
        bad.toString());
    for (String budget : new String[] {"srpt:0", "srpt:x", "edf:-5"}) {
      StringWriter e = new StringWriter();
      assertEquals(
          Main.BAD_INPUT,
          Main.run(new PrintWriter(e, true), "bench", "serve", "--scheduling", "static," + budget),
          budget);
      assertTrue(e.toString().contains("row budget"), budget + ": " + e);
    }
  }

  @Test
  @DisplayName(
      "bench serve --load 0.5,0.9 --plot: every mode runs at each load (a loads list in the JSON),"
          + " a policy with a row budget (srpt:24) among them, and the latency-vs-load PNG is"
          + " written")
  void severalLoadsAndPlot(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("latency.png");
    JsonNode doc =
        runJson(
            "bench",
            "serve",
            "--preset",
            "tiny",
            "--scheduling",
            "static,srpt:24",
            "--steps",
            "2,4",
            "--requests",
            "4",
            "--templates",
            "1",
            "--load",
            "0.5,0.9",
            "--plot",
            png.toString(),
            "--json");
    JsonNode loads = doc.get("loads");
    assertEquals(2, loads.size(), doc.toString());
    double capacity = doc.get("capacity_rps").asDouble();
    double[] expected = {0.5, 0.9};
    for (int i = 0; i < 2; i++) {
      JsonNode l = loads.get(i);
      assertEquals(expected[i], l.get("load").asDouble(), 1e-12);
      assertEquals(expected[i] * capacity, l.get("rate_rps").asDouble(), 1e-9);
      // srpt:24 — srpt with a row budget of 24 (max_step_tokens), under its own name
      for (String m : new String[] {"static", "srpt:24"})
        assertEquals(4, l.get(m).get("completed").asInt(), m + " at " + l.get("load"));
    }
    byte[] head = Files.readAllBytes(png);
    assertTrue(head.length > 8 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG");
    StringWriter bad = new StringWriter();
    assertEquals(
        Main.BAD_INPUT,
        Main.run(
            new PrintWriter(bad, true),
            "bench",
            "serve",
            "--scheduling",
            "srpt",
            "--plot",
            "x.png"),
        "--plot without --load: " + bad);
  }

  @Test
  @DisplayName(
      "bench serve --repeat 2: two bursts and two runs per mode, pooled: 8 edits completed per"
          + " mode, capacity the mean of the two bursts, the pooled mean the mean of the two runs'"
          + " (equal sizes), each run listed, the idle interactive figure measured in each repeat;"
          + " --repeat 0 is refused")
  void repeatsPool() throws Exception {
    JsonNode doc =
        runJson(
            "bench",
            "serve",
            "--preset",
            "tiny",
            "--scheduling",
            "static,srpt",
            "--steps",
            "2,4",
            "--requests",
            "4",
            "--templates",
            "1",
            "--load",
            "0.9",
            "--repeat",
            "2",
            "--interactive",
            "0.5",
            "--json");
    assertEquals(2, doc.get("repeat").asInt());
    JsonNode idle = doc.get("interactive_idle_runs_ms");
    assertEquals(2, idle.size(), "the idle figure measured in every repeat: " + doc);
    assertEquals(
        (idle.get(0).asDouble() + idle.get(1).asDouble()) / 2,
        doc.get("interactive_idle_mean_ms").asDouble(),
        1e-9);
    JsonNode caps = doc.get("capacity_rps_runs");
    assertEquals(2, caps.size(), doc.toString());
    double capacity = (caps.get(0).asDouble() + caps.get(1).asDouble()) / 2;
    assertEquals(capacity, doc.get("capacity_rps").asDouble(), 1e-9);
    assertEquals(0.9 * capacity, doc.get("rate_rps").asDouble(), 1e-9);
    for (String m : new String[] {"static", "srpt"}) {
      JsonNode r = doc.get(m);
      assertEquals(8, r.get("completed").asInt(), m);
      JsonNode runs = r.get("runs_mean_ms");
      assertEquals(2, runs.size(), m + ": " + r);
      assertEquals(
          (runs.get(0).asDouble() + runs.get(1).asDouble()) / 2,
          r.get("mean_ms").asDouble(),
          1e-9,
          m);
      assertEquals(2, r.get("runs_p95_ms").size());
    }
    StringWriter bad = new StringWriter();
    assertEquals(
        Main.BAD_INPUT,
        Main.run(
            new PrintWriter(bad, true),
            "bench",
            "serve",
            "--scheduling",
            "srpt",
            "--load",
            "0.9",
            "--repeat",
            "0"),
        bad.toString());
    assertTrue(bad.toString().contains("--repeat"), bad.toString());
  }

  /** Runs the CLI with these arguments, expects exit 0, and parses the JSON it printed. */
  private static JsonNode runJson(String... args) throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int rc;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      rc = Main.run(new PrintWriter(err, true), args);
    } finally {
      System.setOut(old);
    }
    assertEquals(0, rc, err.toString());
    String text = out.toString(StandardCharsets.UTF_8);
    return new ObjectMapper().readTree(text.substring(text.indexOf('{')));
  }
}
