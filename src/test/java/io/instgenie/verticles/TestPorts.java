package io.instgenie.verticles;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers a test must name before they start (Hazelcast members, a child process's HTTP
 * port). A port handed out by the OS for port 0 lies in the ephemeral range (32768–60999 on Linux),
 * where any outgoing connection or port-0 listener may take it again before the server binds; these
 * come from below that range, checked free on 127.0.0.1.
 */
final class TestPorts {
  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;

  private TestPorts() {}

  static int free() throws IOException {
    for (int tries = 0; tries < 200; tries++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port in " + LOW + ".." + HIGH + " on 127.0.0.1");
  }
}
