package io.instgenie.verticles.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Prompts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The load-test workload: its distributions, its determinism and its files. */
class WorkloadTraceTest {
  @ParameterizedTest
  @ValueSource(strings = {"tiny", "bench", "scene", "scene-p4", "shapes"})
  @DisplayName(
      "every workload prompt is in every preset's vocabulary (a load test must not get 400s)")
  void promptsFitEveryPreset(String preset) {
    for (String prompt : WorkloadTrace.PROMPTS) Prompts.encode(Presets.byName(preset), prompt);
  }

  @TempDir Path dir;

  /** The bench preset's grid: 128-pixel images, patch 4, 1024 tokens. */
  private static WorkloadTrace.Spec spec(long seed, int requests, double mean) {
    return new WorkloadTrace.Spec(
        seed, requests, 2.0, 8, 1.2, 128, 4, mean, WorkloadTrace.PROMPTS, List.of(10, 20));
  }

  @ParameterizedTest(name = "mean {0}")
  @ValueSource(doubles = {0.11, 0.19})
  @DisplayName(
      "mask ratios have the asked mean, most masks are smaller than the mean, and the tail reaches past 0.5 up to 0.9")
  void maskRatios(double mean) {
    WorkloadTrace t = WorkloadTrace.generate(spec(3, 4000, mean));
    double[] r = t.requests().stream().mapToDouble(WorkloadTrace.Request::maskRatio).toArray();
    double realised = Arrays.stream(r).average().orElseThrow();
    assertEquals(mean, realised, 0.01, "realised mean");
    double[] sorted = r.clone();
    Arrays.sort(sorted);
    assertTrue(sorted[r.length / 2] < 0.85 * mean, "median " + sorted[r.length / 2]);
    assertTrue(sorted[r.length - 1] <= 0.9, "max " + sorted[r.length - 1]);
    long tail = Arrays.stream(r).filter(x -> x > 0.5).count();
    assertTrue(tail > 0.01 * r.length && tail < 0.08 * r.length, "masks over 0.5: " + tail);
    for (WorkloadTrace.Request q : t.requests())
      assertEquals(q.maskTokens() / 1024.0, q.maskRatio(), 1e-12, "ratio is tokens / 1024");
  }

  @Test
  @DisplayName("arrivals are Poisson at the asked rate and template popularity is heavily skewed")
  void arrivalsAndTemplates() {
    WorkloadTrace t = WorkloadTrace.generate(spec(4, 4000, 0.19));
    List<WorkloadTrace.Request> q = t.requests();
    double meanGapMs = (double) q.get(q.size() - 1).atMs() / q.size();
    assertEquals(500, meanGapMs, 25, "mean inter-arrival at 2/s");
    for (int i = 1; i < q.size(); i++) assertTrue(q.get(i).atMs() >= q.get(i - 1).atMs());
    int[] per = new int[8];
    q.forEach(r -> per[r.template()]++);
    // Zipf s = 1.2 over 8: the first template 42%, the last 3%
    assertEquals(0.42, per[0] / 4000.0, 0.03, "share of the most popular template");
    for (int i = 1; i < 8; i++) assertTrue(per[i] < per[0], "template 0 leads");
  }

  @Test
  @DisplayName("the same spec gives the same workload, another seed another one")
  void seeded() {
    WorkloadTrace a = WorkloadTrace.generate(spec(5, 200, 0.11));
    WorkloadTrace b = WorkloadTrace.generate(spec(5, 200, 0.11));
    assertEquals(a.requests(), b.requests());
    assertArrayEquals(a.template(3).pixels(), b.template(3).pixels());
    assertNotEquals(a.requests(), WorkloadTrace.generate(spec(6, 200, 0.11)).requests());
  }

  @Test
  @DisplayName(
      "a workload written to files reads back equal, and each mask marks exactly its tokens' pixels")
  void roundTrip() throws Exception {
    WorkloadTrace t = WorkloadTrace.generate(spec(7, 300, 0.19));
    t.write(dir);
    WorkloadTrace back = WorkloadTrace.read(dir);
    assertEquals(t.spec(), back.spec());
    assertEquals(t.requests(), back.requests());
    for (int i = 0; i < 8; i++)
      assertArrayEquals(t.template(i).pixels(), back.template(i).pixels(), "template " + i);
    for (WorkloadTrace.Request q : back.requests()) {
      RgbImage m = q.mask(128, 4);
      int white = 0;
      for (int i = 0; i < m.pixels().length; i += 3) if (m.pixels()[i] != 0) white++;
      assertEquals(q.maskTokens() * 16, white, "mask pixels of " + q);
    }
    assertEquals(300, back.arrivals().size());
  }

  @Test
  @DisplayName("a file of another format or a mask outside the image is refused with its line")
  void badFiles() throws Exception {
    WorkloadTrace.generate(spec(8, 5, 0.19)).write(dir);
    Path requests = dir.resolve(WorkloadTrace.REQUESTS);
    List<String> lines = Files.readAllLines(requests);
    lines.set(2, lines.get(2).replaceFirst("\"x\":\\d+", "\"x\":40"));
    Files.write(requests, lines);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WorkloadTrace.read(dir));
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    Path header = dir.resolve(WorkloadTrace.HEADER);
    Files.writeString(
        header, Files.readString(header).replace(WorkloadTrace.FORMAT, "something/2"));
    assertThrows(IllegalArgumentException.class, () -> WorkloadTrace.read(dir));
  }
}
