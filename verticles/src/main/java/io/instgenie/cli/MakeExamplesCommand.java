package io.instgenie.cli;

import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.scenes.EditCase;
import io.instgenie.kernels.scenes.SceneGenerator;
import io.instgenie.kernels.scenes.SceneStyle;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code instgenie make-examples}: writes the template and mask of a seeded scene edit case
 * (nothing downloaded) and prints its prompt.
 */
@Command(
    name = "make-examples",
    description = "Write an example template (a generated scene) and mask, and print the prompt.")
final class MakeExamplesCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      defaultValue = "examples",
      description = "Folder for template.png and mask.png, created if missing (default: examples)")
  Path out;

  @Option(
      names = "--size",
      defaultValue = "32",
      description = "Image side in pixels, 16 to 4096 (default: 32, the default model's)")
  int size;

  @Option(
      names = "--scenes",
      defaultValue = "simple",
      description = "scene style: simple (the default model's) or classic")
  String scenes;

  /**
   * Seed 424 of simple 32-px scenes: add "a red circle" beside a white and a purple star on a cyan
   * to blue gradient (the background must continue through the mask around the new circle).
   */
  @Option(names = "--seed", defaultValue = "424", description = "edit case seed")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (size < 16 || size > 4096)
      throw new IllegalArgumentException("--size must be from 16 to 4096, got " + size);
    EditCase c = new SceneGenerator(size, SceneStyle.byName(scenes)).editCase(seed);
    OutputFiles.createFolder(out, "--out");
    Images.writePng(out.resolve("template.png"), c.template().image());
    Images.writePng(out.resolve("mask.png"), rgb(c.mask()));
    System.out.println("wrote " + out.resolve("template.png") + " and " + out.resolve("mask.png"));
    System.out.println("prompt: " + c.prompt());
    return 0;
  }

  /** The mask as a grey RGB image (255 = edit), which {@code Images.readMask} reads back. */
  private static RgbImage rgb(MaskImage m) {
    byte[] px = new byte[m.levels().length * 3];
    for (int i = 0; i < m.levels().length; i++) {
      px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = m.levels()[i];
    }
    return new RgbImage(m.width(), m.height(), px);
  }
}
