package io.instgenie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A main class run in a child JVM on the test's class path without {@code --add-modules
 * jdk.incubator.vector}: how a user's {@code java -jar} without the flag meets the code.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * Runs {@code main} (stdout and stderr to {@code log}), fails the test unless it exits 0 within a
   * minute, and returns what it printed.
   */
  public static String runWithoutVectorModule(Class<?> main, Path log)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) p.destroyForcibly();
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(ended, "the child JVM ended: " + out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
