package io.instgenie.kernels.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes a file all-or-nothing, so a reader never sees a half-written model, array or image. */
public final class AtomicFiles {

  /** Produces the file's bytes. */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /**
   * Writes to a temp file in the target's directory, syncs it, then renames it over the target.
   *
   * @throws WriteFailure saying which file and why, the target untouched
   */
  public static void write(Path target, Body body) {
    Path absolute = target.toAbsolutePath();
    Path temp = null;
    try {
      // Same directory so the rename stays on one file system and can be atomic.
      temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        body.writeTo(out);
        out.flush();
        channel.force(true);
      }
      readableByAll(temp);
      Files.move(
          temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
    } catch (IOException e) {
      throw new WriteFailure("cannot write " + target + ": " + why(e, absolute), e);
    } finally {
      deleteQuietly(temp);
    }
  }

  /** The reason in words: a file-system exception's message is often just the path. */
  private static String why(IOException e, Path target) {
    if (e instanceof NoSuchFileException) return "folder " + target.getParent() + " does not exist";
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /**
   * rw-r--r--, as a plain file write would leave it (temp files start owner-only); skipped where
   * the file system has no POSIX permissions.
   */
  private static void readableByAll(Path file) throws IOException {
    if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  private static void deleteQuietly(Path temp) {
    if (temp == null) {
      return;
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // The write already failed; that failure is the one worth reporting.
    }
  }
}
