package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Follows an edit over the WebSocket route and checks each frame against the contract. */
final class ContractSocket {
  private ContractSocket() {}

  /** Reads frames until the server closes; each must match the 101 response's message schema. */
  static void follow(ContractClient client, Contract contract, String id, String response) {
    List<String> frames = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          private final StringBuilder partial = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              frames.add(partial.toString());
              partial.setLength(0);
            }
            ws.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.complete(code);
            return null;
          }

          @Override
          public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
          }
        };
    String url = client.base().replace("http://", "ws://") + "/v1/edits/" + id + "/ws";
    try {
      client
          .http()
          .newWebSocketBuilder()
          .header("Authorization", "Bearer " + client.secret())
          .buildAsync(URI.create(url), listener)
          .get(30, TimeUnit.SECONDS);
      closed.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("WebSocket " + url + ": " + e, e);
    }
    assertTrue(!frames.isEmpty(), "the socket sent the edit's events");
    String pointer = "/paths/~1v1~1edits~1{id}~1ws/get/responses/101/x-websocket-messages";
    for (int i = 0; i < frames.size(); i++)
      contract.validate(pointer, frames.get(i), response + " frame " + i);
    client.seen.add(response);
  }
}
