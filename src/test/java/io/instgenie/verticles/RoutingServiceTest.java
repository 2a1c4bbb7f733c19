package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The mode and routing switches wired into a running service with two denoise workers. */
@ExtendWith(VertxExtension.class)
class RoutingServiceTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"mode=baseline", "routing=fewest-masked-tokens", "routing=fewest-requests"})
  @DisplayName(
      "With two workers, concurrent edits under each switch all complete with the template's unmasked pixels")
  void editsComplete(String setting, Vertx vertx, VertxTestContext ctx) {
    ServiceConfig base = ServiceClient.config();
    Map<String, String> keys = new HashMap<>();
    keys.put("host", base.host());
    keys.put("port", "0");
    keys.put("workers", "2");
    keys.put("cache_memory_bytes", String.valueOf(64L << 20));
    String[] kv = setting.split("=");
    keys.put(kv[0], kv[1]);
    ServiceConfig config = ConfigLoader.load(null, Map.of(), keys);
    ServiceClient.start(vertx, config)
        .compose(
            client -> {
              List<Future<Void>> edits = new ArrayList<>();
              for (int i = 0; i < 5; i++) {
                RgbImage template = TestImages.template(700 + i % 2);
                RgbImage mask = TestImages.rectMask(i, 2, 4 + i, 5);
                edits.add(
                    client
                        .postJson(
                            "/v1/edits",
                            ServiceClient.editJson(template, mask, "a red circle", 3, (long) i))
                        .compose(
                            r -> {
                              ctx.verify(() -> assertEquals(202, r.statusCode(), r.bodyAsString()));
                              return client.awaitFinished(r.bodyAsJsonObject().getString("id"));
                            })
                        .compose(
                            status -> {
                              ctx.verify(
                                  () -> assertEquals("completed", status.getString("status")));
                              return client.get(status.getString("image_url"));
                            })
                        .map(
                            png -> {
                              ctx.verify(
                                  () ->
                                      TestImages.assertUnmaskedIdentical(
                                          template,
                                          TestImages.editPixels(mask),
                                          png.body().getBytes()));
                              return null;
                            }));
              }
              return Future.all(edits);
            })
        .onComplete(ctx.succeedingThenComplete());
  }
}
