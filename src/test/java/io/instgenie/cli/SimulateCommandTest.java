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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code instgenie simulate --json}: the documented keys per policy. */
class SimulateCommandTest {
  @Test
  @DisplayName("simulate --json reports mean_ms, p95_ms and throughput_rps per policy")
  void jsonKeys() throws Exception {
    JsonNode doc =
        json("simulate", "--workers", "2", "--requests", "150", "--templates", "6", "--json");
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

  @Test
  @DisplayName("simulate --batching continuous,static runs each policy both ways and their ratios")
  void batchingBothWays() throws Exception {
    JsonNode doc =
        json(
            "simulate",
            "--workers",
            "1",
            "--requests",
            "120",
            "--templates",
            "3",
            "--policy",
            "cost",
            "--batching",
            "continuous,static",
            "--steps",
            "5,20",
            "--json");
    JsonNode c = doc.get("policies").get("cost");
    JsonNode s = doc.get("policies").get("cost/static");
    assertEquals(120, c.get("completed").asInt());
    assertEquals(120, s.get("completed").asInt());
    JsonNode ratio = doc.get("batching_ratios").get("cost");
    double mean = ratio.get("mean_static_over_continuous").asDouble();
    assertEquals(s.get("mean_ms").asDouble() / c.get("mean_ms").asDouble(), mean);
    assertEquals(
        s.get("p95_ms").asDouble() / c.get("p95_ms").asDouble(),
        ratio.get("p95_static_over_continuous").asDouble());
    assertEquals(
        c.get("throughput_rps").asDouble() / s.get("throughput_rps").asDouble(),
        ratio.get("throughput_continuous_over_static").asDouble());
    // the two modes really ran differently: with step counts 5 and 20 a static batch waits for
    // its longest member (simulated time: this workload gives 1.12x, the same on every machine)
    assertTrue(mean > 1.05, "static/continuous mean latency " + mean);
    StringWriter err = new StringWriter();
    int rc = Main.run(new PrintWriter(err, true), "simulate", "--batching", "dynamic");
    assertEquals(Main.BAD_INPUT, rc, err.toString());
    assertTrue(
        err.toString().contains("--batching takes continuous and/or static"), err.toString());
  }

  @Test
  @DisplayName(
      "simulate --scheduling fcfs,srpt,edf runs each step policy on the same arrivals, static once,"
          + " with each one's ratios to static")
  void schedulingPolicies() throws Exception {
    JsonNode doc =
        json(
            "simulate",
            "--workers",
            "1",
            "--requests",
            "300",
            "--templates",
            "3",
            "--policy",
            "cost",
            "--batching",
            "continuous,static",
            "--scheduling",
            "fcfs,srpt,edf",
            "--steps",
            "5,40",
            "--load",
            "0.9",
            "--json");
    JsonNode ps = doc.get("policies");
    assertEquals(4, ps.size(), ps.toString());
    for (String p : new String[] {"cost", "cost+srpt", "cost+edf", "cost/static"})
      assertEquals(300, ps.get(p).get("completed").asInt(), p);
    JsonNode srpt = ps.get("cost+srpt");
    JsonNode fcfs = ps.get("cost");
    JsonNode stat = ps.get("cost/static");
    assertTrue(
        srpt.get("mean_ms").asDouble() != fcfs.get("mean_ms").asDouble(),
        "srpt scheduled otherwise than fcfs: " + ps);
    JsonNode r = doc.get("static_ratios").get("cost+srpt");
    assertEquals(
        stat.get("mean_ms").asDouble() / srpt.get("mean_ms").asDouble(),
        r.get("mean_static_over").asDouble());
    assertEquals(
        srpt.get("p95_ms").asDouble() / stat.get("p95_ms").asDouble(),
        r.get("p95_over_static").asDouble());
    StringWriter err = new StringWriter();
    int rc = Main.run(new PrintWriter(err, true), "simulate", "--scheduling", "lifo");
    assertEquals(Main.BAD_INPUT, rc, err.toString());
    assertTrue(err.toString().contains("scheduling must be fcfs, srpt or edf"), err.toString());
  }

  @Test
  @DisplayName(
      "simulate --interactive 0.3: each policy's interactive and batch means, the interactive edits'"
          + " mean alone on an idle worker (the same for every policy) and the ratio to it")
  void interactiveMix() throws Exception {
    JsonNode ps =
        json(
                "simulate",
                "--workers",
                "1",
                "--requests",
                "200",
                "--templates",
                "3",
                "--batching",
                "continuous,static",
                "--scheduling",
                "srpt",
                "--steps",
                "5,40",
                "--load",
                "0.9",
                "--interactive",
                "0.3",
                "--json")
            .get("policies");
    double idle = ps.get("cost/static").get("interactive_idle_mean_ms").asDouble();
    assertTrue(idle > 0, ps.toString());
    for (String p : new String[] {"cost+srpt", "cost/static"}) {
      JsonNode r = ps.get(p);
      assertEquals(idle, r.get("interactive_idle_mean_ms").asDouble(), p);
      assertEquals(
          r.get("interactive_mean_ms").asDouble() / idle,
          r.get("interactive_over_idle").asDouble());
      assertTrue(r.get("interactive_over_idle").asDouble() >= 1, p + " no faster than idle: " + r);
      assertTrue(r.get("batch_mean_ms").asDouble() > 0, p);
    }
  }

  private static JsonNode json(String... args) throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      assertEquals(0, Main.run(args));
    } finally {
      System.setOut(old);
    }
    return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
  }
}
