package io.instgenie.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
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

  /**
   * Creates {@code dir} (and its parents) to write into, or throws {@link IllegalArgumentException}
   * naming {@code option} and why it cannot: a file in the way, no permission, a read-only file
   * system.
   */
  static void createFolder(Path dir, String option) {
    checkFolder(dir, option);
    try {
      Files.createDirectories(dir);
    } catch (IOException | SecurityException e) {
      throw new IllegalArgumentException(
          option + " " + dir + ": cannot create the folder (" + reason(e) + ")", e);
    }
    if (!Files.isWritable(dir))
      throw new IllegalArgumentException(option + " " + dir + ": the folder is not writable");
  }

  /** An exception's message without the path the caller already names. */
  private static String reason(Exception e) {
    if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
