package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A blocking HTTP client (the JDK's) that checks every answer against the contract: the status is
 * the one expected and documented, the Content-Type is a documented one, required headers are
 * there, and JSON bodies (and each SSE event) validate against their schemas. It records which
 * documented responses were seen.
 */
final class ContractClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Contract contract;
  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final Set<String> seen = new TreeSet<>();

  /** The API key sent when a call names none. */
  private final String secret;

  ContractClient(Contract contract, int port, String secret) {
    this.contract = contract;
    this.base = "http://" + ServiceClient.HOST + ":" + port;
    this.secret = secret;
  }

  /** A body and its Content-Type. */
  record Body(String type, byte[] bytes) {
    static Body json(String json) {
      return new Body("application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    static Body form(String urlEncoded) {
      return new Body(
          "application/x-www-form-urlencoded", urlEncoded.getBytes(StandardCharsets.UTF_8));
    }

    /** multipart/form-data with text fields and PNG files. */
    static Body multipart(Map<String, String> fields, Map<String, byte[]> files) {
      String boundary = "contract-boundary-7d1";
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        for (var f : fields.entrySet()) {
          out.write(
              ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey())
                  .getBytes(StandardCharsets.UTF_8));
          out.write(("\"\r\n\r\n" + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        for (var f : files.entrySet()) {
          out.write(
              ("--"
                      + boundary
                      + "\r\nContent-Disposition: form-data; name=\""
                      + f.getKey()
                      + "\"; filename=\""
                      + f.getKey()
                      + ".png\"\r\nContent-Type: image/png\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
          out.write(f.getValue());
          out.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      return new Body("multipart/form-data; boundary=" + boundary, out.toByteArray());
    }
  }

  /**
   * Sends method path (a concrete path) as the documented operation op, expects status, and checks
   * the answer against the contract. Answers the response.
   */
  HttpResponse<byte[]> call(String op, String path, Body body, int status) {
    return callAs(secret, op, path, body, status);
  }

  /** As {@link #call}, with the key {@code key} (none when null). */
  HttpResponse<byte[]> callAs(String key, String op, String path, Body body, int status) {
    return callAs(key, op, path, body, status, Map.of());
  }

  /** As {@link #call}, with the request headers {@code headers} besides the key. */
  HttpResponse<byte[]> callWith(
      Map<String, String> headers, String op, String path, Body body, int status) {
    return callAs(secret, op, path, body, status, headers);
  }

  private HttpResponse<byte[]> callAs(
      String key, String op, String path, Body body, int status, Map<String, String> headers) {
    String method = op.split(" ")[0];
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    if (key != null) b.header("Authorization", "Bearer " + key);
    headers.forEach(b::header);
    if (body == null) b.method(method, HttpRequest.BodyPublishers.noBody());
    else
      b.header("Content-Type", body.type())
          .method(method, HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
    HttpResponse<byte[]> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new AssertionError(op + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    String text = new String(r.body(), StandardCharsets.UTF_8);
    assertEquals(status, r.statusCode(), method + " " + path + " answered: " + text);
    check(op, r, text);
    seen.add(op + " " + status);
    return r;
  }

  private void check(String op, HttpResponse<byte[]> r, String text) {
    int status = r.statusCode();
    JsonNode documented = contract.response(op, status);
    documented
        .path("headers")
        .fields()
        .forEachRemaining(
            h -> {
              if (h.getValue().path("required").asBoolean())
                assertTrue(
                    r.headers().firstValue(h.getKey()).isPresent(),
                    op + " " + status + " carries the header " + h.getKey());
            });
    Set<String> types = contract.mediaTypes(op, status);
    if (types.isEmpty()) return;
    String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    if (!types.contains(type))
      fail(op + " " + status + " answered Content-Type " + type + ", documented " + types);
    String what = op + " " + status;
    switch (type) {
      case "application/json" ->
          contract.validate(contract.schemaPointer(op, status, type), text, what);
      case "image/png" -> assertTrue(isPng(r.body()), what + " is a PNG");
      case "text/event-stream" -> checkEvents(op, status, text);
      default -> assertTrue(r.body().length > 0, what + " has a body");
    }
  }

  /** Each SSE data line validates against the media type's x-sse-data schema. */
  private void checkEvents(String op, int status, String text) {
    String pointer = contract.schemaPointer(op, status, "text/event-stream");
    String dataPointer =
        pointer.substring(0, pointer.length() - "/schema".length()) + "/x-sse-data";
    int events = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("data: ")) {
        contract.validate(dataPointer, line.substring(6), op + " event " + events);
        events++;
      }
    }
    assertTrue(events > 0, op + " sent events: " + text);
  }

  static boolean isPng(byte[] b) {
    return b.length > 8 && b[0] == (byte) 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
  }

  HttpClient http() {
    return http;
  }

  String base() {
    return base;
  }

  String secret() {
    return secret;
  }
}
