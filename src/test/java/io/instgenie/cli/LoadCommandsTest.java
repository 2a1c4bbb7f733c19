package io.instgenie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instgenie.verticles.bench.WorkloadTrace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code make-workload} and {@code bench e2e} on the tiny preset: their files and JSON shape. */
class LoadCommandsTest {
  @TempDir Path dir;

  /** Runs a command line with stdout captured; fails with stderr when the exit status is not 0. */
  private static String stdout(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      code = Main.run(new PrintWriter(err, true), args);
    } finally {
      System.setOut(old);
    }
    assertEquals(0, code, "exit status; stderr: " + err);
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("make-workload writes a workload that reads back with the asked size and count")
  void makeWorkload() {
    Path out = dir.resolve("w");
    String line =
        stdout(
            "make-workload",
            "--preset",
            "tiny",
            "--mask-mean",
            "0.11",
            "--requests",
            "50",
            "--templates",
            "3",
            "--out",
            out.toString());
    assertTrue(line.contains("50 requests"), line);
    WorkloadTrace t = WorkloadTrace.read(out);
    assertEquals(50, t.requests().size());
    assertEquals(16, t.spec().imageSize());
    assertEquals(3, t.spec().templates());
    assertEquals(0.11, t.spec().maskMean());
    assertEquals(List.of(4), t.spec().steps(), "the preset's default steps");
  }

  @Test
  @DisplayName(
      "bench e2e --json has, per rate, every mode's throughput, mean and P95, and --plots writes three PNGs")
  void benchE2e() throws Exception {
    Path plots = dir.resolve("plots");
    String json =
        stdout(
            "bench",
            "e2e",
            "--preset",
            "tiny",
            "--rates",
            "10,40",
            "--requests",
            "4",
            "--steps",
            "2",
            "--ablation",
            "--engine-reps",
            "1",
            "--json",
            "--plots",
            plots.toString());
    JsonNode root = new ObjectMapper().readTree(json);
    JsonNode rates = root.path("rates");
    assertEquals(2, rates.size());
    for (JsonNode r : rates) {
      for (String mode : List.of("instgenie", "baseline", "cache_only", "batching_only")) {
        JsonNode m = r.path(mode);
        assertEquals(4, m.path("completed").asInt(), mode + " at " + r.path("rate_rps"));
        assertEquals(0, m.path("failed").asInt(), mode);
        for (String key : List.of("throughput_rps", "mean_ms", "p95_ms"))
          assertTrue(m.path(key).asDouble() > 0, mode + " " + key + ": " + m);
      }
      assertTrue(r.path("instgenie_vs_baseline").path("throughput_ratio").asDouble() > 0);
      assertTrue(r.path("offered_rps").asDouble() > 0, "the rate the sample realised");
    }
    assertEquals(4, root.path("engine").path("throughput_by_batch").size());
    assertEquals(3, root.path("plots").size());
    for (String name :
        List.of("latency_vs_rate.png", "throughput_vs_batch.png", "speedup_vs_mask_ratio.png")) {
      byte[] png = Files.readAllBytes(plots.resolve(name));
      assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', name);
    }
  }

  @Test
  @DisplayName(
      "bench e2e --saturation measures each mode's capacity and runs both at the baseline's")
  void benchE2eSaturation() throws Exception {
    int n = 6;
    String json =
        stdout(
            "bench",
            "e2e",
            "--preset",
            "tiny",
            "--rates",
            "20",
            "--requests",
            String.valueOf(n),
            "--steps",
            "2",
            "--saturation",
            "--json");
    JsonNode sat = new ObjectMapper().readTree(json).path("saturation");
    double base = sat.path("capacity_rps").path("baseline").asDouble();
    assertTrue(base > 0, "baseline capacity: " + sat);
    assertTrue(sat.path("capacity_rps").path("instgenie").asDouble() > 0, sat.toString());
    assertEquals(1.0, sat.path("capacity_ratio").path("baseline").asDouble());
    JsonNode at = sat.path("at_baseline_capacity");
    assertEquals(base, at.path("rate_rps").asDouble(), "the run is at the baseline's capacity");
    // arrival times are whole milliseconds: the realised rate is the capacity up to that rounding
    double lastMs = n * 1000 / base;
    assertEquals(base, at.path("offered_rps").asDouble(), base * 1.0 / lastMs + 1e-9);
    for (String mode : List.of("instgenie", "baseline")) {
      assertEquals(n, at.path(mode).path("completed").asInt(), mode + ": " + at);
      assertTrue(at.path(mode).path("mean_ms").asDouble() > 0, mode);
    }
  }

  @Test
  @DisplayName("bench e2e --saturation without the baseline among --modes is a CLI error")
  void saturationNeedsTheBaseline() {
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(err, true),
            "bench",
            "e2e",
            "--preset",
            "tiny",
            "--modes",
            "instgenie",
            "--saturation");
    assertTrue(code != 0, "exit status");
    assertTrue(err.toString().contains("--saturation needs the baseline"), err.toString());
  }
}
