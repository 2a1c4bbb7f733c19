package io.instgenie.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.scenes.SceneStyle;
import io.instgenie.kernels.train.Trainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a model trained from another model's weights says about where it came from. */
class TrainProvenanceTest {
  @TempDir Path dir;

  private static int run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(err, true), args);
    assertEquals(0, code, String.join(" ", args) + ": " + err);
    return code;
  }

  @Test
  @DisplayName(
      "A run started with --init-from records that model's provenance under starts_from and the"
          + " steps and images of the whole chain under total, in its own export and in one made"
          + " later from its checkpoint")
  void initFromIsRecordedInEveryExport() throws Exception {
    Path from = Path.of("models", "default");
    JsonNode was =
        new ObjectMapper().readTree(from.resolve("model.json").toFile()).get("provenance");
    // the preset whose layers the bundled model has (train --init-from checks the same way)
    ModelConfig bundled = ModelFiles.readConfig(from);
    String preset =
        Stream.of("shapes", "shapes-deep", "shapes-deeper")
            .filter(
                name -> {
                  ModelConfig p = Presets.byName(name);
                  return Trainer.sameArchitecture(
                      bundled.withSampling(p.defaultSteps(), p.defaultGuidance()), p);
                })
            .findFirst()
            .orElseThrow();
    // a model trained in a chain of sittings counts from the chain's total
    JsonNode wasTotal = was.has("total") ? was.get("total") : was;
    String ck = dir.resolve("ck.safetensors").toString();
    String[] train = {
      "train",
      "--preset",
      preset,
      "--steps",
      "2",
      "--batch",
      "2",
      "--threads",
      "1",
      "--warmup",
      "1",
      "--init-from",
      from.toString(),
      "--out",
      dir.resolve("trained").toString(),
      "--checkpoint",
      ck
    };
    run(train);
    run("train", "--export-only", "--checkpoint", ck, "--out", dir.resolve("export").toString());
    for (String folder : List.of("trained", "export")) {
      JsonNode p =
          new ObjectMapper()
              .readTree(dir.resolve(folder).resolve("model.json").toFile())
              .get("provenance");
      assertEquals(was, p.get("starts_from"), folder + ": the model it started from, whole");
      assertEquals(2, p.get("steps").asLong(), folder);
      assertEquals(
          wasTotal.get("steps").asLong() + 2, p.get("total").get("steps").asLong(), folder);
      assertEquals(
          wasTotal.get("images_seen").asLong() + 4,
          p.get("total").get("images_seen").asLong(),
          folder);
      assertTrue(
          p.get("total").get("wall_minutes").asDouble() >= wasTotal.get("wall_minutes").asDouble(),
          folder);
    }
  }

  @Test
  @DisplayName("Totals add a model's own figures to its origin's total, or its origin's own")
  void totalsFollowTheChain() {
    Map<String, Object> own = Map.of("steps", 10, "images_seen", 640, "wall_minutes", 1.25);
    Map<String, Object> plain = Map.of("steps", 100, "images_seen", 6400, "wall_minutes", 10.0);
    assertEquals(
        Map.of("steps", 110L, "images_seen", 7040L, "wall_minutes", 11.3),
        TrainCommand.totals(own, plain));
    Map<String, Object> chained =
        Map.of(
            "steps",
            100,
            "total",
            Map.of("steps", 300, "images_seen", 19200, "wall_minutes", 30.0));
    assertEquals(
        Map.of("steps", 310L, "images_seen", 19840L, "wall_minutes", 31.3),
        TrainCommand.totals(own, chained));
    // a model made before totals were recorded: its starts_from is followed instead
    Map<String, Object> untotalled =
        Map.of("steps", 100, "images_seen", 6400, "wall_minutes", 10.0, "starts_from", plain);
    assertEquals(
        Map.of("steps", 210L, "images_seen", 13440L, "wall_minutes", 21.3),
        TrainCommand.totals(own, untotalled));
  }

  @Test
  @DisplayName(
      "--shape-odds names shapes by their word, 1 for the rest, and refuses unknown, repeated,"
          + " non-numeric and non-positive entries with the option's name")
  void shapeOdds() {
    assertArrayEquals(
        new double[] {1, 1, 1, 2}, TrainCommand.shapeOdds(SceneStyle.SIMPLE, "star=2"));
    assertArrayEquals(
        new double[] {0.5, 1, 3, 1},
        TrainCommand.shapeOdds(SceneStyle.SIMPLE, " circle = 0.5 ,TRIANGLE=3"));
    assertNull(TrainCommand.shapeOdds(SceneStyle.SIMPLE, null));
    for (String bad : List.of("ring=2", "star=2,star=3", "star=x", "star=0", "star=-1", "star", ""))
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () -> TrainCommand.shapeOdds(SceneStyle.SIMPLE, bad))
              .getMessage()
              .startsWith("--shape-odds"),
          bad);
  }
}
