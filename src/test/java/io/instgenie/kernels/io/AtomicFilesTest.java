package io.instgenie.kernels.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** All or nothing: a write that fails half-way leaves the previous file and no temp file. */
class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void aWriteReplacesTheFileReadableByAll() throws IOException {
    Path f = dir.resolve("model.json");
    Files.writeString(f, "old");
    AtomicFiles.write(f, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
    assertEquals("new", Files.readString(f));
    if (Files.getFileStore(f).supportsFileAttributeView("posix"))
      assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertEquals(List.of(f), files());
  }

  @Test
  void anIoFailureHalfWayKeepsThePreviousFile() throws IOException {
    Path f = dir.resolve("model.json");
    Files.writeString(f, "old");
    WriteFailure e =
        assertThrows(
            WriteFailure.class,
            () ->
                AtomicFiles.write(
                    f,
                    out -> {
                      out.write(new byte[1 << 17]); // past the buffer: bytes reach the temp file
                      throw new IOException("No space left on device");
                    }));
    assertEquals("cannot write " + f + ": No space left on device", e.getMessage());
    assertEquals("old", Files.readString(f));
    assertEquals(List.of(f), files());
  }

  @Test
  void anyOtherFailureHalfWayKeepsThePreviousFileToo() throws IOException {
    Path f = dir.resolve("model.json");
    Files.writeString(f, "old");
    assertThrows(
        IllegalStateException.class,
        () ->
            AtomicFiles.write(
                f,
                out -> {
                  out.write(new byte[1 << 17]);
                  throw new IllegalStateException("serialisation failed");
                }));
    assertEquals("old", Files.readString(f));
    assertEquals(List.of(f), files());
  }

  @Test
  void aMissingFolderIsNamed() {
    Path f = dir.resolve("nope").resolve("model.json");
    WriteFailure e = assertThrows(WriteFailure.class, () -> AtomicFiles.write(f, out -> {}));
    assertTrue(
        e.getMessage().endsWith("folder " + f.getParent() + " does not exist"), e.getMessage());
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
