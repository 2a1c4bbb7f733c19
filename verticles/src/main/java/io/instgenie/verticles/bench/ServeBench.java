package io.instgenie.verticles.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.util.Percentiles;
import io.instgenie.verticles.ConfigLoader;
import io.instgenie.verticles.InstGenieService;
import io.instgenie.verticles.ServiceConfig;
import io.instgenie.verticles.messages.JobEvent;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Drives a service started in this process with an open-loop workload over HTTP (JSON submit, SSE
 * until {@code completed}), and measures what clients see: latency from submit to completed, and
 * throughput. Templates are pre-warmed first, so the run measures steady state.
 */
public final class ServeBench {
  /** What one run measured. */
  public record Stats(
      int completed,
      int failed,
      double meanMs,
      double p95Ms,
      double throughputRps,
      double meanQueueMs,
      double meanStepOverheadMs,
      double meanBatchSize,
      List<Sample> samples) {

    /**
     * Several runs of the same arrivals as one: counts added, latency mean and P95 over every edit,
     * throughput and the per-step figures averaged over the runs, queue time weighted by edits; one
     * run is returned as it is.
     */
    public static Stats pooled(List<Stats> runs) {
      if (runs.isEmpty()) throw new IllegalArgumentException("no run to pool");
      if (runs.size() == 1) return runs.get(0);
      List<Sample> all = new ArrayList<>();
      int completed = 0;
      int failed = 0;
      double queue = 0;
      for (Stats r : runs) {
        all.addAll(r.samples());
        completed += r.completed();
        failed += r.failed();
        if (r.completed() > 0) queue += r.meanQueueMs() * r.completed(); // else NaN
      }
      double[] lat = all.stream().mapToDouble(Sample::latencyMs).sorted().toArray();
      return new Stats(
          completed,
          failed,
          Arrays.stream(lat).average().orElse(Double.NaN),
          lat.length == 0 ? Double.NaN : Percentiles.nearestRank(lat, 0.95),
          runs.stream().mapToDouble(Stats::throughputRps).average().orElse(Double.NaN),
          completed == 0 ? Double.NaN : queue / completed,
          runs.stream().mapToDouble(Stats::meanStepOverheadMs).average().orElse(Double.NaN),
          runs.stream().mapToDouble(Stats::meanBatchSize).average().orElse(Double.NaN),
          List.copyOf(all));
    }
  }

  /**
   * One completed request: its index in the arrivals, mask ratio, latency (submit to {@code
   * completed}), the queue and denoise times the service reported, and its first ETA's signed error
   * relative to the latency ((predicted end − actual end) / latency: negative when the ETA was
   * optimistic; NaN without an ETA).
   */
  public record Sample(
      int index,
      double maskRatio,
      double latencyMs,
      double queueMs,
      double denoiseMs,
      double etaSignedError) {
    /** |predicted end − actual end| / latency. */
    public double etaRelError() {
      return Math.abs(etaSignedError);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The service configuration of an in-process benchmark: 127.0.0.1, any free port, a queue that
   * never answers 429, 64 MiB bodies, 4 GiB of template activations in memory, one worker; then
   * {@code switches} (config keys such as {@code mode}, {@code cache}, {@code batching}).
   */
  public static ServiceConfig benchConfig(int maxBatch, Map<String, String> switches) {
    Map<String, String> v = new HashMap<>();
    v.put("host", "127.0.0.1");
    v.put("port", "0");
    v.put("max_batch", String.valueOf(maxBatch));
    v.put("queue_capacity", "100000");
    v.put("max_body_bytes", String.valueOf(64L << 20));
    v.put("cache_memory_bytes", String.valueOf(4L << 30));
    v.put("workers", "1");
    v.putAll(switches);
    return ConfigLoader.load(null, Map.of(), v);
  }

  /**
   * How long after the last arrival unfinished requests are waited for before they count as failed.
   */
  private static final long DRAIN_MS = 600_000;

  /** Each arrival's {@code priority} field by index (null: none sent). */
  private IntFunction<String> priority = i -> null;

  /** Sends {@code priority.apply(index)} as each edit's {@code priority} (null: none). */
  public ServeBench priorities(IntFunction<String> priority) {
    this.priority = priority;
    return this;
  }

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /**
   * Event streams are read with blocking line reads: on threads of their own, never the client's.
   */
  private final ExecutorService readers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "bench-sse-reader");
            t.setDaemon(true);
            return t;
          });

  public Stats run(
      DitModel model, ServiceConfig config, List<Workload.Arrival> arrivals, int templates)
      throws Exception {
    int size = model.config().imageSize();
    return run(model, config, arrivals, i -> Workload.template(i, size));
  }

  /** As above, with the template images of a workload ({@code templates.apply(index)}). */
  public Stats run(
      DitModel model,
      ServiceConfig config,
      List<Workload.Arrival> arrivals,
      IntFunction<RgbImage> templates)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    try {
      InstGenieService service = InstGenieService.start(vertx, config, model).await();
      String base = "http://127.0.0.1:" + service.port();
      while (!service.ready()) Thread.sleep(50);
      // the template id depends on the step count: pre-warm every (template, steps) pair used
      Map<String, String> templateIds = new HashMap<>();
      for (Workload.Arrival a : arrivals) {
        String key = a.template() + "/" + a.steps();
        if (templateIds.containsKey(key)) continue;
        String image = b64(Images.encodePng(templates.apply(a.template())));
        JsonNode r =
            send("PUT", base + "/v1/templates", Map.of("image", image, "steps", a.steps()));
        templateIds.put(key, r.get("template_id").asText());
      }
      long t0 = System.nanoTime();
      List<CompletableFuture<double[]>> results = new ArrayList<>();
      for (int i = 0; i < arrivals.size(); i++) {
        Workload.Arrival a = arrivals.get(i);
        int index = i;
        CompletableFuture<double[]> f = new CompletableFuture<>();
        results.add(f);
        long delay = a.atMs() * 1_000_000 - (System.nanoTime() - t0);
        String templateId = templateIds.get(a.template() + "/" + a.steps());
        clock.schedule(
            () -> submit(base, a, index, templateId, t0, f),
            Math.max(0, delay),
            TimeUnit.NANOSECONDS);
      }
      long lastArrivalMs = arrivals.isEmpty() ? 0 : arrivals.get(arrivals.size() - 1).atMs();
      try {
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
            .exceptionally(e -> null)
            .get(lastArrivalMs + DRAIN_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        for (CompletableFuture<double[]> f : results)
          f.completeExceptionally(e); // counted as failed
      }
      return stats(
          arrivals,
          results,
          service.metrics().meanStepOverheadMs(),
          meanOf(service.metrics().scrape(), "instgenie_batch_size"));
    } finally {
      clock.shutdownNow();
      readers.shutdownNow();
      vertx.close().await();
    }
  }

  /**
   * Submits one edit and follows its SSE stream; completes with {submit ms, done ms, queue ms,
   * denoise ms, predicted done ms (the first event's ETA; NaN without one)} after t0.
   */
  private void submit(
      String base,
      Workload.Arrival a,
      int index,
      String templateId,
      long t0,
      CompletableFuture<double[]> f) {
    double submitted = (System.nanoTime() - t0) / 1e6;
    Map<String, Object> body = new HashMap<>();
    body.putAll(
        Map.of(
            "template_id",
            templateId,
            "mask",
            b64(a.maskPng()),
            "prompt",
            a.prompt(),
            "steps",
            a.steps(),
            "seed",
            a.seed()));
    String p = priority.apply(index);
    if (p != null) body.put("priority", p);
    sendAsync("POST", base + "/v1/edits", body)
        .thenCompose(
            accepted ->
                http.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + accepted.get("events_url").asText()))
                        .GET()
                        .build(),
                    HttpResponse.BodyHandlers.ofLines()))
        .thenAcceptAsync(
            resp -> {
              double[] predicted = {Double.NaN};
              JsonNode timings = completedTimings(resp.body(), t0, predicted);
              f.complete(
                  new double[] {
                    submitted,
                    (System.nanoTime() - t0) / 1e6,
                    timings.path("queue_ms").asDouble(),
                    timings.path("denoise_ms").asDouble(),
                    predicted[0]
                  });
            },
            readers)
        .exceptionally(
            e -> {
              f.completeExceptionally(e);
              return null;
            });
  }

  /**
   * Reads SSE lines to the terminal event; returns the edit's timings, or throws if it did not
   * complete.
   */
  private static JsonNode completedTimings(Stream<String> lines, long t0, double[] predicted) {
    String event = null;
    for (var it = lines.iterator(); it.hasNext(); ) {
      String line = it.next();
      if (line.startsWith("event: ")) event = line.substring(7);
      else if (line.startsWith("data: ")
          && Double.isNaN(predicted[0])
          && line.contains("\"eta_ms\"")) predicted[0] = etaDone(line.substring(6), t0);
      else if (line.startsWith("data: ") && event != null && JobEvent.isTerminal(event)) {
        try {
          JsonNode d = JSON.readTree(line.substring(6));
          if (!JobEvent.isCompleted(event))
            throw new IllegalStateException("edit " + event + ": " + d);
          return d.path("timings");
        } catch (IOException e) {
          throw new IllegalStateException("bad event data: " + line, e);
        }
      }
    }
    throw new IllegalStateException("event stream ended without a terminal event");
  }

  /** The predicted completion (ms after t0) of an event carrying {@code eta_ms}, read now. */
  private static double etaDone(String data, long t0) {
    try {
      JsonNode d = JSON.readTree(data);
      return (System.nanoTime() - t0) / 1e6 + d.path("eta_ms").asDouble();
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  private JsonNode send(String method, String url, Object body)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(request(method, url, body), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300)
      throw new IllegalStateException(method + " " + url + " → " + r.statusCode() + " " + r.body());
    return JSON.readTree(r.body());
  }

  private CompletableFuture<JsonNode> sendAsync(String method, String url, Object body) {
    return http.sendAsync(request(method, url, body), HttpResponse.BodyHandlers.ofString())
        .thenApply(
            r -> {
              if (r.statusCode() >= 300)
                throw new IllegalStateException(
                    method + " " + url + " → " + r.statusCode() + " " + r.body());
              try {
                return JSON.readTree(r.body());
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  private static HttpRequest request(String method, String url, Object body) {
    try {
      return HttpRequest.newBuilder(URI.create(url))
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
          .build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  /** The mean of a Prometheus summary in {@code text}: its _sum over its _count (NaN if none). */
  static double meanOf(String text, String name) {
    double sum = Double.NaN;
    double count = Double.NaN;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "_sum"))
        sum = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      if (line.startsWith(name + "_count"))
        count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return count > 0 ? sum / count : Double.NaN;
  }

  private static String cause(CompletableFuture<double[]> f) {
    try {
      f.join();
      return "?";
    } catch (java.util.concurrent.CompletionException
        | java.util.concurrent.CancellationException e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      return c.getMessage();
    }
  }

  private static Stats stats(
      List<Workload.Arrival> arrivals,
      List<CompletableFuture<double[]>> results,
      double overheadMs,
      double meanBatch) {
    List<double[]> ok = new ArrayList<>();
    List<Sample> samples = new ArrayList<>();
    int failed = 0;
    for (int i = 0; i < results.size(); i++) {
      CompletableFuture<double[]> f = results.get(i);
      if (f.isCompletedExceptionally()) {
        if (failed++ == 0) System.err.println("bench: request " + i + " failed: " + cause(f));
        continue;
      }
      double[] r = f.join();
      ok.add(r);
      double lat = r[1] - r[0];
      double etaSigned = Double.isNaN(r[4]) ? Double.NaN : (r[4] - r[1]) / lat;
      samples.add(new Sample(i, arrivals.get(i).maskRatio(), lat, r[2], r[3], etaSigned));
    }
    if (ok.isEmpty())
      return new Stats(
          0, failed, Double.NaN, Double.NaN, 0, Double.NaN, overheadMs, meanBatch, samples);
    double[] lat = ok.stream().mapToDouble(r -> r[1] - r[0]).sorted().toArray();
    double first = ok.stream().mapToDouble(r -> r[0]).min().orElse(0);
    double last = ok.stream().mapToDouble(r -> r[1]).max().orElse(1);
    double mean = Arrays.stream(lat).average().orElse(Double.NaN);
    double p95 = Percentiles.nearestRank(lat, 0.95);
    double queue = ok.stream().mapToDouble(r -> r[2]).average().orElse(Double.NaN);
    return new Stats(
        ok.size(),
        failed,
        mean,
        p95,
        ok.size() / ((last - first) / 1000),
        queue,
        overheadMs,
        meanBatch,
        samples);
  }
}
