package io.instgenie.verticles.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instgenie.kernels.io.AtomicFiles;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of a {@link WorkloadTrace} (format {@value WorkloadTrace#FORMAT}, loadtest/README.md).
 */
final class WorkloadFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private WorkloadFiles() {}

  static void write(WorkloadTrace t, Path dir) {
    try {
      Files.createDirectories(dir.resolve(WorkloadTrace.TEMPLATES));
      List<String> files = new ArrayList<>();
      for (int i = 0; i < t.templates().size(); i++) {
        String f = WorkloadTrace.TEMPLATES + "/" + String.format("t%03d.png", i);
        Images.writePng(dir.resolve(f), t.templates().get(i));
        files.add(f);
      }
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("format", WorkloadTrace.FORMAT);
      h.put("seed", t.spec().seed());
      h.put("requests", t.spec().requests());
      h.put("rate_rps", t.spec().rateRps());
      h.put("image_size", t.spec().imageSize());
      h.put("patch_size", t.spec().patchSize());
      h.put("mask_ratio_mean", t.spec().maskMean());
      MaskRatios m = MaskRatios.withMean(t.spec().maskMean());
      Map<String, Object> dist = new LinkedHashMap<>();
      dist.put("beta_alpha", m.alpha());
      dist.put("beta_beta", m.beta());
      dist.put("tail_weight", m.tailWeight());
      dist.put("tail_uniform", List.of(MaskRatios.TAIL_LOW, MaskRatios.TAIL_HIGH));
      h.put("mask_ratio_distribution", dist);
      h.put("realised_mask_ratio_mean", t.meanMaskRatio());
      h.put("zipf_s", t.spec().zipfS());
      h.put("prompts", t.spec().prompts());
      h.put("steps", t.spec().steps());
      h.put("templates", files);
      // each file all-or-nothing, the requests first: a header names a trace that is whole
      AtomicFiles.write(
          dir.resolve(WorkloadTrace.REQUESTS),
          out -> {
            for (WorkloadTrace.Request q : t.requests()) {
              out.write((JSON.writeValueAsString(line(q)) + "\n").getBytes(StandardCharsets.UTF_8));
            }
          });
      byte[] header =
          (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(h) + "\n")
              .getBytes(StandardCharsets.UTF_8);
      AtomicFiles.write(dir.resolve(WorkloadTrace.HEADER), out -> out.write(header));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write workload to " + dir, e);
    }
  }

  private static Map<String, Object> line(WorkloadTrace.Request q) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at_ms", q.atMs());
    m.put("template", q.template());
    Map<String, Object> mask = new LinkedHashMap<>();
    mask.put("x", q.maskX());
    mask.put("y", q.maskY());
    mask.put("w", q.maskWidth());
    mask.put("tokens", q.maskTokens());
    m.put("mask", mask);
    m.put("mask_ratio", q.maskRatio());
    m.put("prompt", q.prompt());
    m.put("steps", q.steps());
    m.put("seed", q.seed());
    return m;
  }

  static WorkloadTrace read(Path dir) {
    try {
      JsonNode h = JSON.readTree(dir.resolve(WorkloadTrace.HEADER).toFile());
      if (!WorkloadTrace.FORMAT.equals(h.path("format").asText()))
        throw new IllegalArgumentException(
            dir.resolve(WorkloadTrace.HEADER)
                + ": format must be "
                + WorkloadTrace.FORMAT
                + ", got "
                + h.path("format"));
      List<String> prompts = new ArrayList<>();
      h.path("prompts").forEach(p -> prompts.add(p.asText()));
      List<Integer> steps = new ArrayList<>();
      h.path("steps").forEach(s -> steps.add(s.asInt()));
      WorkloadTrace.Spec spec =
          new WorkloadTrace.Spec(
              h.path("seed").asLong(),
              h.path("requests").asInt(),
              h.path("rate_rps").asDouble(),
              h.path("templates").size(),
              h.path("zipf_s").asDouble(),
              h.path("image_size").asInt(),
              h.path("patch_size").asInt(),
              h.path("mask_ratio_mean").asDouble(),
              prompts,
              steps);
      List<RgbImage> images = new ArrayList<>();
      for (JsonNode f : h.path("templates")) {
        images.add(Images.read(dir.resolve(f.asText()), "template " + f.asText()));
      }
      List<WorkloadTrace.Request> requests = new ArrayList<>();
      int grid = spec.grid();
      int n = 0;
      for (String text : Files.readAllLines(dir.resolve(WorkloadTrace.REQUESTS))) {
        n++;
        if (text.isBlank()) continue;
        JsonNode j = JSON.readTree(text);
        JsonNode mask = j.path("mask");
        WorkloadTrace.Request q =
            new WorkloadTrace.Request(
                j.path("at_ms").asLong(),
                j.path("template").asInt(),
                mask.path("x").asInt(),
                mask.path("y").asInt(),
                mask.path("w").asInt(),
                mask.path("tokens").asInt(),
                j.path("mask_ratio").asDouble(),
                j.path("prompt").asText(),
                j.path("steps").asInt(),
                j.path("seed").asLong());
        int rows = q.maskWidth() < 1 ? 0 : (q.maskTokens() + q.maskWidth() - 1) / q.maskWidth();
        if (q.template() < 0
            || q.template() >= images.size()
            || q.maskWidth() < 1
            || q.maskTokens() < 1
            || q.maskX() < 0
            || q.maskY() < 0
            || q.maskX() + q.maskWidth() > grid
            || q.maskY() + rows > grid
            || q.steps() < 1)
          throw new IllegalArgumentException(
              dir.resolve(WorkloadTrace.REQUESTS)
                  + " line "
                  + n
                  + ": template or mask out of range: "
                  + text);
        requests.add(q);
      }
      return WorkloadTrace.of(spec, requests, images);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read workload from " + dir, e);
    }
  }
}
