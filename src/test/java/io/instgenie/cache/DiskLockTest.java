package io.instgenie.cache;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A disk tier's folder is locked while a tier uses it, so two processes never share one. */
class DiskLockTest {
  /** A child process's main: opens a tier on the folder, says so, waits until stdin closes. */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      DiskTier t = new DiskTier(Path.of(args[0]), 1 << 20, null);
      System.out.println(t.available() ? "locked" : "unavailable: " + t.problem());
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the tier (and its lock) until the parent closes our stdin or kills us
      }
    }
  }

  @Test
  @DisplayName(
      "a folder another process's tier holds is unusable here (its problem names the other"
          + " process); once that process ends, however it ends, the folder is usable again")
  void secondProcessRefused(@TempDir Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    Holder.class.getName(),
                    dir.toString()))
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine(); // skips any JVM warning before the child's answer
      } while (line != null && !line.startsWith("locked") && !line.startsWith("unavailable"));
      assertNotNull(line, "the child answered");
      assertTrue(line.startsWith("locked"), line);
      DiskTier here = new DiskTier(dir, 1 << 20, null);
      assertFalse(here.available(), "the other process holds the folder");
      assertTrue(here.problem().contains("in use by another process"), here.problem());
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    DiskTier after = new DiskTier(dir, 1 << 20, null);
    assertTrue(after.available(), "released with the process: " + after.problem());
    after.close();
  }
}
