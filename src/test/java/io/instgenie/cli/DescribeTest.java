package io.instgenie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.instgenie.kernels.io.AtomicFiles;
import io.instgenie.kernels.io.WriteFailure;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one line a failed command prints: each reason said once. */
class DescribeTest {
  @TempDir Path dir;

  @Test
  void aFailedAtomicWriteSaysItsReasonOnce() {
    Path target = dir.resolve("missing").resolve("model.json");
    WriteFailure e =
        assertThrows(WriteFailure.class, () -> AtomicFiles.write(target, out -> out.write(1)));
    assertEquals(
        "cannot write " + target + ": folder " + target.getParent() + " does not exist",
        Main.describe(e));
  }

  @Test
  void anIoFailureWhoseMessageIsThePathGetsItsReason() {
    Path file = dir.resolve("gone.png");
    UncheckedIOException e =
        new UncheckedIOException("cannot read " + file, new NoSuchFileException(file.toString()));
    assertEquals("cannot read " + file + ": " + file + " does not exist", Main.describe(e));
  }
}
