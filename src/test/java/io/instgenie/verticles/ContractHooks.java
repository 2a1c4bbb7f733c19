package io.instgenie.verticles;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A local webhook receiver: answers 200 and keeps each body with its signature header. */
final class ContractHooks implements AutoCloseable {
  /** One delivery: the raw body and the X-InstGenIE-Signature header. */
  record Hook(String body, String signature) {}

  private final HttpServer server;
  private final BlockingQueue<Hook> received = new LinkedBlockingQueue<>();

  ContractHooks() throws IOException {
    server = HttpServer.create(new InetSocketAddress(ServiceClient.HOST, 0), 0);
    server.createContext(
        "/hook",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(new Hook(body, ex.getRequestHeaders().getFirst("X-InstGenIE-Signature")));
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.start();
  }

  String url() {
    return "http://" + ServiceClient.HOST + ":" + server.getAddress().getPort() + "/hook";
  }

  /** The next delivery, waiting up to 30 s; fails when none came. */
  Hook next() throws InterruptedException {
    Hook h = received.poll(30, TimeUnit.SECONDS);
    if (h == null) throw new AssertionError("no webhook reached " + url() + " within 30 s");
    return h;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
