package io.instgenie.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Up-front checks of an output path, so a long job does not fail only at its very end. */
final class OutputFiles {
  private OutputFiles() {}

  /**
   * Throws {@link IllegalArgumentException} naming {@code option} when {@code file} cannot be
   * written: its folder is missing or not writable, or the path is a folder.
   */
  static void checkWritable(Path file, String option) {
    Path abs = file.toAbsolutePath();
    if (Files.isDirectory(abs))
      throw new IllegalArgumentException(option + " " + file + " is a folder; name a file");
    Path dir = abs.getParent();
    if (dir == null || !Files.isDirectory(dir))
      throw new IllegalArgumentException(
          option + " " + file + ": folder " + dir + " does not exist");
    if (!Files.isWritable(dir))
      throw new IllegalArgumentException(
          option + " " + file + ": folder " + dir + " is not writable");
  }

  /**
   * Throws {@link IllegalArgumentException} naming {@code option} when {@code dir} names a file: a
   * folder to write into (created when missing) cannot be one.
   */
  static void checkFolder(Path dir, String option) {
    if (Files.exists(dir) && !Files.isDirectory(dir))
      throw new IllegalArgumentException(option + " " + dir + " is a file; name a folder");
  }
}
