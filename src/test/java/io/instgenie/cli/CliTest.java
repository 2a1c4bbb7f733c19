package io.instgenie.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.Npy;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end on the tiny preset: results, and a clear message with a non-zero exit for bad
 * input.
 */
class CliTest {
  @TempDir static Path dir;
  static Path model;
  static Path template;
  static Path mask;

  record Run(int code, String err) {}

  static Run run(String... args) {
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(err, true), args);
    return new Run(code, err.toString());
  }

  static void png(Path file, int size, long seed, boolean grey) {
    byte[] px = new byte[size * size * 3];
    new Random(seed).nextBytes(px);
    if (grey) {
      for (int i = 0; i < size * size; i++) {
        byte v = (byte) ((i % 3 == 0) ? 255 : 0);
        px[i * 3] = v;
        px[i * 3 + 1] = v;
        px[i * 3 + 2] = v;
      }
    }
    Images.writePng(file, new RgbImage(size, size, px));
  }

  @BeforeAll
  static void setUp() {
    model = dir.resolve("tiny");
    assertEquals(
        0, run("init-model", "--preset", "tiny", "--seed", "3", "--out", model.toString()).code());
    template = dir.resolve("t.png");
    mask = dir.resolve("m.png");
    png(template, 16, 1, false);
    png(mask, 16, 2, true);
  }

  private static Run edit(String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "edit",
                "--model",
                model.toString(),
                "--template",
                template.toString(),
                "--mask",
                mask.toString(),
                "--prompt",
                "a red circle",
                "--out",
                dir.resolve("o.png").toString(),
                "--seed",
                "4"));
    for (int i = 0; i + 1 < extra.length; i += 2) {
      int at = args.indexOf(extra[i]);
      if (at >= 0) args.set(at + 1, extra[i + 1]);
      else {
        args.add(extra[i]);
        args.add(extra[i + 1]);
      }
    }
    return run(args.toArray(String[]::new));
  }

  @Test
  @DisplayName("edit writes a PNG whose unmasked pixels equal the template's")
  void editWorks() {
    Run r = edit();
    assertEquals(0, r.code(), r.err());
    RgbImage out = Images.read(dir.resolve("o.png"), "out");
    RgbImage t = Images.read(template, "t");
    for (int px = 0; px < 256; px++) {
      if (px % 3 != 0) {
        for (int ch = 0; ch < 3; ch++)
          assertEquals(t.pixels()[px * 3 + ch], out.pixels()[px * 3 + ch]);
      }
    }
  }

  private static void assertFails(Run r, String... fragments) {
    assertEquals(Main.BAD_INPUT, r.code(), "exit code; stderr: " + r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    for (String f : fragments) assertTrue(r.err().contains(f), "'" + f + "' in: " + r.err());
  }

  @Test
  @DisplayName("bad train and bench quality options fail before any work, with exit 2")
  void badTrainAndQualityOptions() {
    String out = dir.resolve("trained").toString();
    String ck = dir.resolve("ck.safetensors").toString();
    assertFails(
        run("train", "--preset", "tiny", "--out", out, "--checkpoint", ck),
        "preset 'tiny' takes 4 prompt words");
    assertFails(run("train", "--threads", "-1", "--out", out, "--checkpoint", ck), "--threads");
    assertFails(run("train", "--lr", "0", "--out", out, "--checkpoint", ck), "lr must be positive");
    assertFails(run("train", "--grad-clip", "-1", "--out", out, "--checkpoint", ck), "grad clip");
    assertFails(
        run("train", "--export-only", "--out", out, "--checkpoint", ck), "needs a checkpoint");
    assertFails(
        run("train", "--export-only", "--default-guidance", "40", "--out", out, "--checkpoint", ck),
        "--default-guidance must be between 0.0 and 30.0, got 40.0");
    assertFails(
        run("train", "--export-only", "--default-steps", "0", "--out", out, "--checkpoint", ck),
        "--default-steps must be positive");
    assertFails(
        run("train", "--init-from", model.toString(), "--out", out, "--checkpoint", ck),
        "another architecture than preset 'shapes'");
    assertFails(
        run(
            "train",
            "--init-from",
            model.toString(),
            "--extend-from",
            ck,
            "--out",
            out,
            "--checkpoint",
            ck),
        "exclude each other");
    assertFails(run("bench", "quality", "--cases", "0", "--model", model.toString()), "--cases");
    assertFails(
        run("bench", "quality", "--full-steps", "-5", "--model", model.toString()),
        "--full-steps must be -1");
    assertFails(
        run("bench", "quality", "--cache-precision", "f16", "--model", model.toString()),
        "--cache-precision must be f32 or bf16");
    assertFails(
        run("make-examples", "--size", "100000", "--out", dir.resolve("ex").toString()),
        "--size must be from 16 to 4096");
    assertFalse(java.nio.file.Files.exists(dir.resolve("trained")), "no partial model folder");
  }

  @Test
  @DisplayName(
      "bad edit input: sizes, prompt words and length, images, a mask that selects nothing, steps")
  void badEditInput() throws Exception {
    Path big = dir.resolve("big.png");
    png(big, 32, 5, false);
    assertFails(edit("--mask", big.toString()), "mask is 32x32", "template is 16x16");
    assertFails(
        edit("--template", big.toString(), "--mask", big.toString()), "template is 32x32", "16x16");
    assertFails(edit("--prompt", "a red unicorn"), "unicorn", "vocabulary", "triangle");
    assertFails(edit("--prompt", "a red circle and blue"), "at most 4");
    assertFails(edit("--steps", "0"), "steps");
    assertFails(edit("--steps", "-2"), "steps");
    Path truncated = dir.resolve("trunc.png");
    byte[] bytes = Files.readAllBytes(template);
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertFails(edit("--template", truncated.toString()), "template");
    Path junk = dir.resolve("junk.png");
    Files.writeString(junk, "not an image");
    assertFails(edit("--mask", junk.toString()), "mask");
    Path black = dir.resolve("black.png");
    Images.writePng(black, new RgbImage(16, 16, new byte[16 * 16 * 3]));
    assertFails(edit("--mask", black.toString()), "selects no pixel", "nothing to edit");
    // checked before any work: the output folder, guidance's range, a template run's size
    assertFails(
        edit("--out", dir.resolve("missing").resolve("o.png").toString()), "does not exist");
    assertFails(edit("--out", dir.toString()), "is a folder");
    assertFails(edit("--guidance", "-1"), "--guidance must be between 0.0 and 30.0");
    assertFails(edit("--steps", "100000000"), "max_template_run_bytes", "--no-cache");
  }

  @Test
  @DisplayName(
      "outputs and option clashes are checked before any work: exit 2, one line, nothing written")
  void badOutputsAndClashesFailFirst() throws Exception {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "not a folder");
    String m = model.toString();
    String missing = dir.resolve("missing").resolve("x").toString();
    assertFails(run("make-examples", "--out", file.toString()), "--out", "is a file");
    assertFails(
        run("make-examples", "--out", file.resolve("sub").toString()),
        "--out",
        "cannot create the folder");
    assertFails(run("init-model", "--preset", "tiny", "--out", file.toString()), "is a file");
    assertFails(
        run("make-workload", "--preset", "tiny", "--out", file.toString()), "--out", "is a file");
    String w = dir.resolve("w").toString();
    assertFails(run("make-workload", "--preset", "tiny", "--rate", "-1", "--out", w), "--rate");
    assertFails(
        run("make-workload", "--preset", "tiny", "--requests", "0", "--out", w), "--requests");
    assertFails(
        run(
            "make-workload",
            "--preset",
            "tiny",
            "--model",
            m,
            "--out",
            dir.resolve("w").toString()),
        "--model and --preset exclude each other");
    Path x = dir.resolve("x0.npy");
    Npy.write(x, new long[] {3, 16, 16}, new float[768]);
    assertFails(
        run("forward", "--model", m, "--x", x.toString(), "--t", "0.5", "--out", missing),
        "--out",
        "does not exist");
    assertFails(run("bench", "example", "--model", m, "--guidance", "-3"), "--guidance must be");
    assertFails(run("bench", "example", "--model", m, "--strip", missing), "--strip");
    assertFails(run("bench", "quality", "--model", m, "--guidance", "31"), "--guidance must be");
    assertFails(run("bench", "quality", "--model", m, "--gallery", dir.toString()), "--gallery");
    assertFails(
        run("bench", "engine", "--model", m, "--preset", "tiny"),
        "--model and --preset exclude each other");
    assertFails(run("bench", "serve", "--order", "continuous,nope"), "--order takes", "nope");
    assertFails(run("bench", "serve", "--order", "continuous"), "--order must name");
    assertFails(run("bench", "e2e", "--plots", file.toString()), "--plots", "is a file");
    assertFails(run("bench", "loss", "--model", m), "the model takes 4 prompt words");
    assertFails(
        run("simulate", "--rate", "1", "--load", "0.5"), "--rate and --load exclude each other");
    assertFails(run("simulate", "--plot", file.toString()), "--plot", "is a file");
    assertFails(
        run("new-key", "--id", "k", "--tenant", "t", "--webhook-secret", " "), "--webhook-secret");
    assertEquals("not a folder", Files.readString(file), "untouched");
    assertFalse(Files.exists(dir.resolve("missing")), "nothing created");
    assertFalse(Files.exists(dir.resolve("w")), "no workload folder");
  }

  @Test
  @DisplayName("an unparsable command line: one error line pointing at --help, not the usage text")
  void badArgumentsOneLine() {
    for (String[] cmd :
        new String[][] {
          {"edit"},
          {"edit", "--bogus"},
          {"edit", "--steps", "abc"},
          {"bench"},
          {"simulate", "--seeeds"}
        }) {
      Run r = run(cmd);
      assertFails(r, "(see 'instgenie " + cmd[0]);
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
    assertFails(run("edit"), "Missing required options", "'--template=T.png'");
    assertFails(run("simulate", "--seeeds", "3"), "did you mean --seed?");
  }

  @Test
  @DisplayName("--help works on every subcommand: exit 0, nothing on stderr")
  void helpEverywhere() {
    for (String[] cmd :
        new String[][] {
          {"edit", "--help"}, {"serve", "--help"}, {"bench", "e2e", "--help"}, {"new-key", "-h"}
        }) {
      Run r = run(cmd);
      assertEquals(0, r.code(), String.join(" ", cmd) + ": " + r.err());
      assertEquals("", r.err(), String.join(" ", cmd));
    }
  }

  @Test
  @DisplayName("init-model refuses a folder that holds a model unless --force; --force replaces it")
  void initModelKeepsAModel() throws Exception {
    Path m = dir.resolve("kept");
    assertEquals(
        0, run("init-model", "--preset", "tiny", "--seed", "1", "--out", m.toString()).code());
    byte[] before = Files.readAllBytes(m.resolve("weights.safetensors"));
    assertFails(
        run("init-model", "--preset", "tiny", "--seed", "2", "--out", m.toString()),
        "already holds a model");
    assertArrayEquals(before, Files.readAllBytes(m.resolve("weights.safetensors")), "untouched");
    assertEquals(
        0,
        run("init-model", "--preset", "tiny", "--seed", "2", "--out", m.toString(), "--force")
            .code());
    assertFalse(
        java.util.Arrays.equals(before, Files.readAllBytes(m.resolve("weights.safetensors"))));
  }

  @Test
  @DisplayName("a broken model folder is named: missing tensor, wrong shape")
  void badModel() throws Exception {
    Path broken = dir.resolve("broken");
    Files.createDirectories(broken);
    Files.copy(model.resolve("model.json"), broken.resolve("model.json"));
    var w =
        new java.util.LinkedHashMap<>(
            io.instgenie.kernels.io.SafeTensors.read(model.resolve("weights.safetensors")));
    w.remove("t_embedder.mlp.2.weight");
    io.instgenie.kernels.io.SafeTensors.write(
        broken.resolve("weights.safetensors"), w, io.instgenie.kernels.io.DType.F32, null);
    assertFails(edit("--model", broken.toString()), "t_embedder.mlp.2.weight");
  }

  @Test
  @DisplayName("forward reads x.npy and writes v.npy equal to the engine's velocity")
  void forwardNpy() {
    DitModel m = DitModel.load(model);
    ModelConfig c = m.config();
    float[] chw = Noise.gaussian(77, c.channels() * c.imageSize() * c.imageSize());
    Path x = dir.resolve("x.npy");
    Path v = dir.resolve("v.npy");
    Npy.write(x, new long[] {c.channels(), c.imageSize(), c.imageSize()}, chw);
    Run r =
        run(
            "forward",
            "--model",
            model.toString(),
            "--x",
            x.toString(),
            "--t",
            "0.6",
            "--prompt",
            "blue star",
            "--out",
            v.toString());
    assertEquals(0, r.code(), r.err());
    Npy.NpyArray out = Npy.read(v);
    assertArrayEquals(new long[] {3, 16, 16}, out.shape());
    float[] vel = new float[c.imageTokens() * c.patchDim()];
    new DitForward(m, new CpuBackend())
        .run(
            List.of(
                Sequence.full(
                    0.6f,
                    Prompts.encode(c, "blue star"),
                    Patches.fromChw(chw, c),
                    c.imageTokens(),
                    vel,
                    null)),
            null);
    assertArrayEquals(Patches.toChw(vel, c), out.data());
    Npy.write(x, new long[] {3, 8, 8}, new float[192]);
    assertFails(
        run(
            "forward",
            "--model",
            model.toString(),
            "--x",
            x.toString(),
            "--t",
            "0.6",
            "--out",
            v.toString()),
        "[3, 8, 8]");
  }
}
