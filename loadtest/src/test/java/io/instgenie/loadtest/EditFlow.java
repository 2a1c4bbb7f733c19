package io.instgenie.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyBytes;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.http.HttpDsl.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.core.FeederBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.instgenie.kernels.io.Images;
import io.instgenie.verticles.bench.WorkloadTrace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One edit as a client makes it, for every simulation: submit JSON with base64 template and mask
 * ({@code POST /v1/edits}), follow the edit over its WebSocket until {@code completed}, fetch the
 * PNG. The three requests form the group {@value #GROUP}, whose response time is the edit's latency
 * as the client sees it.
 */
final class EditFlow {
  static final String GROUP = "edit";

  private static final ObjectMapper JSON = new ObjectMapper();

  private EditFlow() {}

  /** One feeder record per workload request: its JSON body and its index. */
  static List<Map<String, Object>> records(WorkloadTrace trace) {
    int size = trace.spec().imageSize();
    int patch = trace.spec().patchSize();
    List<String> templates = new ArrayList<>();
    for (int i = 0; i < trace.spec().templates(); i++)
      templates.add(b64(Images.encodePng(trace.template(i))));
    List<Map<String, Object>> out = new ArrayList<>();
    for (WorkloadTrace.Request q : trace.requests()) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("image", templates.get(q.template()));
      body.put("mask", b64(Images.encodePng(q.mask(size, patch))));
      body.put("prompt", q.prompt());
      body.put("steps", q.steps());
      body.put("seed", q.seed());
      try {
        out.add(Map.of("body", JSON.writeValueAsString(body), "index", out.size()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** HTTP without Gatling's warm-up request (it would leave this machine). */
  static HttpProtocolBuilder protocol() {
    return http.acceptHeader("application/json").disableWarmUp();
  }

  /**
   * @param base the service's {@code http://host:port}, read when each request is built (an
   *     in-process service's port is known only after {@code before()})
   * @param completeWithin how long the WebSocket waits for the terminal event
   */
  static ScenarioBuilder edits(
      String name, FeederBuilder<Object> feeder, Supplier<String> base, Duration completeWithin) {
    return scenario(name)
        .feed(feeder)
        .group(GROUP)
        .on(
            exec(http("submit")
                    .post(s -> base.get() + "/v1/edits")
                    .body(StringBody(s -> s.getString("body")))
                    .asJson()
                    .check(status().is(202), jsonPath("$.id").saveAs("id")))
                .exec(
                    ws("progress")
                        .connect(
                            s ->
                                base.get().replaceFirst("^http", "ws")
                                    + "/v1/edits/"
                                    + s.getString("id")
                                    + "/ws")
                        .await(completeWithin)
                        .on(
                            ws.checkTextMessage("completed")
                                .matching(jsonPath("$.type").in("completed", "failed", "cancelled"))
                                .check(jsonPath("$.type").is("completed"))))
                .exec(ws("close").close())
                .exec(
                    http("image")
                        .get(s -> base.get() + "/v1/edits/" + s.getString("id") + "/image")
                        .check(
                            status().is(200),
                            header("Content-Type").is("image/png"),
                            bodyBytes().transform(b -> b.length).gt(8))));
  }

  /** Open model, Poisson arrivals: {@code rate} users per second for {@code duration}. */
  static OpenInjectionStep poisson(double rate, Duration duration) {
    return constantUsersPerSec(rate).during(duration).randomized();
  }

  /**
   * Open model replaying the workload's own arrival times, stretched to {@code rate} (a workload
   * written at 1/s replayed at 2/s halves every gap).
   */
  static OpenInjectionStep[] replay(WorkloadTrace trace, double rate, int users) {
    double stretch = trace.spec().rateRps() / rate;
    List<OpenInjectionStep> steps = new ArrayList<>();
    long at = 0;
    for (int i = 0; i < Math.min(users, trace.requests().size()); i++) {
      long next = Math.round(trace.requests().get(i).atMs() * stretch);
      if (next > at) steps.add(nothingFor(Duration.ofMillis(next - at)));
      steps.add(atOnceUsers(1));
      at = Math.max(at, next);
    }
    return steps.toArray(OpenInjectionStep[]::new);
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
