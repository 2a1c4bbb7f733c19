package io.instgenie.verticles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code instgenie serve} in a child JVM on this test's class path (under surefire a manifest-only
 * booter jar whose manifest lists the class path, which {@code -cp} follows), its settings through
 * the environment (every inherited {@code INSTGENIE_*} variable removed first).
 */
final class ServeProcess {
  private ServeProcess() {}

  static Process start(Path dir, Path log, List<String> serveArgs, Map<String, String> settings)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "--add-modules",
                "jdk.incubator.vector",
                "-Xmx512m",
                // JVMs share the test's cores: a small heap collector and the quick JIT tier
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.instgenie.cli.Main",
                "serve"));
    cmd.addAll(serveArgs);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(key -> key.startsWith("INSTGENIE_"));
    env.putAll(settings);
    Process process = pb.start();
    // the test stops it; this covers a test JVM that is itself stopped (a fork timeout)
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    return process;
  }
}
