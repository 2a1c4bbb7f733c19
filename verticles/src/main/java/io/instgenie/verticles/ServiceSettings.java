package io.instgenie.verticles;

import io.instgenie.cache.CacheMode;
import io.instgenie.cache.Precision;
import io.instgenie.verticles.ServiceConfig.Batching;
import io.instgenie.verticles.ServiceConfig.Mode;
import io.instgenie.verticles.observe.LogFormat;
import io.instgenie.verticles.policy.Routing;
import io.instgenie.verticles.policy.Scheduling;
import io.instgenie.verticles.policy.StepPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Every setting of the service, declared once (key, type and range, default, environment variable,
 * doc). The loader, its validation and the README's configuration table all come from here.
 */
public final class ServiceSettings {
  private ServiceSettings() {}

  private static final int MAX_INT = Integer.MAX_VALUE;
  private static final long MAX_LONG = Long.MAX_VALUE;

  /** The longest duration a setting takes (a year, ms): far past any use, far from overflow. */
  private static final long MAX_MS = 365L * 24 * 3600 * 1000;

  public static final Setting<Mode> MODE =
      Setting.choice(
          "mode",
          Mode.INSTGENIE,
          "instgenie",
          List.of("instgenie", "baseline"),
          s -> Mode.valueOf(s.toUpperCase(Locale.ROOT)),
          "`instgenie`, or `baseline` (the Diffusers-style server: cache off, static batching,"
              + " round-robin routing); `batching`, `cache` and `routing` set explicitly win");
  public static final Setting<String> HOST =
      Setting.text("host", "0.0.0.0", "interface to listen on");
  public static final Setting<Integer> PORT =
      Setting.integer("port", 8080, 0, 65535, "HTTP port (0 = any free port)");
  public static final Setting<Integer> MAX_BATCH =
      Setting.integer(
          "max_batch", 8, 1, MAX_INT, "requests (and template runs) per denoising step per worker");
  public static final Setting<Integer> QUEUE_CAPACITY =
      Setting.integer(
          "queue_capacity", 64, 1, MAX_INT, "unfinished edits beyond which `POST` answers 429");
  public static final Setting<Long> MAX_BODY_BYTES =
      Setting.whole(
          "max_body_bytes", 10L << 20, 1024, MAX_LONG, "largest request body (413 above)");
  public static final Setting<Batching> BATCHING =
      Setting.choice(
          "batching",
          null,
          "mode's (continuous)",
          List.of("continuous", "static"),
          s -> Batching.valueOf(s.toUpperCase(Locale.ROOT)),
          "`continuous` (join at the next step) or `static` (a batch runs to completion)");
  public static final Setting<Boolean> CACHE =
      Setting.onOff(
          "cache",
          null,
          "mode's (on)",
          "`on`: masked tokens only, template activations cached; `off`: every edit recomputes"
              + " every token (the full-recompute baseline, no template runs)");
  public static final Setting<Routing> ROUTING =
      Setting.choice(
          "routing",
          null,
          "mode's (cost)",
          List.of("cost", "round-robin", "fewest-requests", "fewest-masked-tokens"),
          Routing::parse,
          "how the balancer picks a worker: `cost` (Algorithm 2's estimate) or a plain policy");
  public static final Setting<Scheduling> SCHEDULING =
      Setting.choice(
          "scheduling",
          Scheduling.FCFS,
          "fcfs",
          List.of("fcfs", "srpt", "edf"),
          Scheduling::parse,
          "which members each denoising step runs: `fcfs` (first come, first served: the"
              + " continuous batch), `srpt` (least remaining work first) or `edf` (earliest"
              + " deadline first); see *Step scheduling*");
  public static final Setting<Integer> MAX_STEP_TOKENS =
      Setting.integer(
          "max_step_tokens",
          0,
          0,
          Integer.MAX_VALUE,
          "computed rows one step may run, beside `max_batch` members; 0 = auto: none under"
              + " `fcfs`, else the calibrated end of the flat step-time region when that is one"
              + " image's tokens or more, none when less (a CPU)");
  public static final Setting<Integer> AGING_STEPS =
      Setting.integer(
          "aging_steps",
          StepPolicy.DEFAULT_AGING_STEPS,
          1,
          Integer.MAX_VALUE,
          "worker steps a waiting member takes to climb one priority class (the starvation"
              + " guard)");
  public static final Setting<Integer> FULL_STEPS =
      Setting.integer(
          "full_steps",
          -1,
          -1,
          1_000_000,
          "the quality knob: an edit recomputes every token for its first steps, then uses the"
              + " template's cache (the unmasked rows see the prompt while the layout is decided;"
              + " BENCHMARKS.md has the SSIM/speed trade-off). Counted at the model's default step"
              + " count and scaled to each edit's own, so the same share of the trajectory is"
              + " recomputed (6 of 20 is 2 of 5 and 12 of 40); 0: every step uses the cache; -1:"
              + " the model's own `default_full_steps` (its `provenance`; 11 for the bundled model, 0"
              + " when a model names none)");
  public static final Setting<Integer> WORKERS =
      Setting.integer("workers", 1, 1, 1024, "denoise workers (one per device; CPU = 1)");
  public static final Setting<Long> CACHE_MEMORY_BYTES =
      Setting.whole(
          "cache_memory_bytes",
          2L << 30,
          0,
          MAX_LONG,
          "template activations kept in memory, split between workers; a template run larger than"
              + " a worker's share is kept on disk only, or without a disk tier redone at every use"
              + " (the largest run a request may ask for is `max_template_run_bytes`)");
  public static final Setting<Path> CACHE_DIR =
      Setting.path(
          "cache_dir",
          "(none)",
          "disk tier of template activations (a folder `worker-N` per worker, one checksummed file"
              + " per template and step count; survives restarts); a folder the service cannot"
              + " create or write, or one another running service holds (its `.lock`), stops the"
              + " start");
  public static final Setting<Long> CACHE_DISK_BYTES =
      Setting.whole(
          "cache_disk_bytes",
          20L << 30,
          1,
          MAX_LONG,
          "largest size of each worker's disk tier (LRU; not split between workers)");
  public static final Setting<Precision> CACHE_PRECISION =
      Setting.choice(
          "cache_precision",
          Precision.F32,
          "f32",
          List.of("f32", "bf16"),
          s -> Precision.valueOf(s.toUpperCase(Locale.ROOT)),
          "storage precision of cached activations");
  public static final Setting<CacheMode> CACHE_MODE =
      Setting.choice(
          "cache_mode",
          CacheMode.Y,
          "y",
          List.of("y", "kv", "auto"),
          CacheMode::parse,
          "what template runs cache: block outputs (`y`), keys and values (`kv`: less compute per"
              + " edit, twice the bytes, only a prefix of blocks may recompute), or `auto` (K/V while"
              + " the memory tier holds at least 4 templates' K/V, else Y)");
  public static final Setting<Path> MODEL_DIR =
      Setting.path("model_dir", "(bundled)", "model folder");
  public static final Setting<String> BACKEND =
      Setting.choice(
          "backend",
          "auto",
          "auto",
          List.of("auto", "cuda", "cpu", "reference"),
          s -> s,
          "`auto` (CUDA when a device answers, else CPU), `cuda`, `cpu` or `reference`");
  public static final Setting<Integer> RETRY_AFTER_SECONDS =
      Setting.integer(
          "retry_after_seconds",
          2,
          1,
          86_400,
          "`Retry-After` of a 429 for a full queue (`queue_capacity`, a tenant's"
              + " `max_unfinished`) and of every 503 (draining, a deadline the estimate says cannot"
              + " be met, `sync_timeout_ms` passed); a tenant past its request rate is told the"
              + " seconds until its next token instead");
  public static final Setting<Long> SYNC_TIMEOUT_MS =
      Setting.whole(
          "sync_timeout_ms", 600_000, 1000, MAX_MS, "how long `POST /v1/images/edits` waits");
  public static final Setting<Integer> MAX_STEPS =
      Setting.integer(
          "max_steps",
          200,
          1,
          1_000_000,
          "most denoising steps one request may ask for (400 above)");
  public static final Setting<Long> MAX_TEMPLATE_RUN_BYTES =
      Setting.whole(
          "max_template_run_bytes",
          1L << 30,
          1,
          MAX_LONG,
          "most bytes of activations one template run may cache, counted as the run records them:"
              + " block outputs (steps × depth × tokens × hidden × precision), or twice that for keys"
              + " and values (`cache_mode` `kv`, or `auto` choosing K/V); a request whose run needs"
              + " more is refused with 400");
  public static final Setting<Long> MAX_EDIT_MS =
      Setting.whole(
          "max_edit_ms",
          600_000,
          1000,
          MAX_MS,
          "longest an edit may take from admission to its end (a request's `timeout_ms` is capped"
              + " to it); past it the edit ends `failed` with `deadline exceeded`");
  public static final Setting<Long> STALL_MS =
      Setting.whole(
          "stall_ms",
          60_000,
          100,
          MAX_MS,
          "the job table's watchdog: a running edit whose worker has sent nothing for this long,"
              + " or an edit no worker took, ends `failed` (in a cluster: is placed again, on"
              + " another node). A started edit the scheduler holds back (preempted, or waiting"
              + " for a held-back template run) repeats its latest `started`, `step` (fresh"
              + " `eta_ms`) or `template` event every quarter of `stall_ms`, so waiting its turn is"
              + " never taken for a stall");
  public static final Setting<Long> DRAIN_TIMEOUT_MS =
      Setting.whole(
          "drain_timeout_ms",
          60_000,
          0,
          MAX_MS,
          "on SIGTERM or `POST /admin/drain`: how long queued and running edits may take to finish"
              + " before they end `failed` with `node shut down`");
  public static final Setting<Boolean> CLUSTER =
      Setting.onOff(
          "cluster",
          false,
          "off",
          "`on` (or `--cluster`): join a Hazelcast cluster of nodes (below)");
  public static final Setting<Path> CLUSTER_CONFIG =
      Setting.path(
          "cluster_config",
          "(none)",
          "Hazelcast XML/YAML (or `--cluster-config FILE`); none: `-Dvertx.hazelcast.config`, then"
              + " `cluster.xml` on the classpath, then multicast");
  public static final Setting<Double> REMOTE_FETCH_MIB_PER_S =
      Setting.number(
          "remote_fetch_mib_per_s",
          1000,
          0.001,
          1e9,
          "node-to-node bandwidth assumed when a fetch of a peer's cached activations is priced"
              + " against a template run (and in Algorithm 1's remote load cost)");
  public static final Setting<Double> REMOTE_ROUND_TRIP_MS =
      Setting.number(
          "remote_round_trip_ms",
          0.5,
          0,
          1e9,
          "fixed cost of one segment request to a peer in that estimate (added to its bytes at the"
              + " bandwidth above)");
  public static final Setting<Path> KEYS_FILE =
      Setting.path(
          "keys_file",
          "(none: open)",
          "API keys and tenants (JSON, see *Security*), re-read when it changes; none: anyone who"
              + " reaches the port may call every route (a warning at start-up says so)");
  public static final Setting<String> WEBHOOK_ALLOW =
      Setting.optionalText(
          "webhook_allow",
          "(none)",
          "host patterns a `callback_url` may name, comma-separated (`hooks.example.com`,"
              + " `*.example.com`, `127.0.0.1`); any other host is refused with 400");
  public static final Setting<String> WEBHOOK_SECRET =
      Setting.optionalText(
          "webhook_secret",
          "(none)",
          "signs webhooks of keys without their own `webhook_secret` (and of the open service);"
              + " with neither, a `callback_url` is refused with 400");
  public static final Setting<Long> WEBHOOK_RETRY_MS =
      Setting.whole(
          "webhook_retry_ms",
          600_000,
          0,
          MAX_MS,
          "how long a webhook that is not answered 2xx is retried (exponential backoff with"
              + " jitter) before the service gives up");
  public static final Setting<String> RESULT_URL_SECRET =
      Setting.optionalText(
          "result_url_secret",
          "(random per process)",
          "signs result URLs (`image_url`, `response_format=url`); give every node of a cluster"
              + " the same one so that a URL from one works on all");
  public static final Setting<Long> RESULT_URL_TTL_S =
      Setting.whole(
          "result_url_ttl_s", 3600, 1, MAX_MS / 1000, "how long a result URL works, seconds");

  public static final Setting<LogFormat> LOG_FORMAT =
      Setting.choice(
          "log_format",
          LogFormat.TEXT,
          "text",
          List.of("text", "json"),
          s -> LogFormat.valueOf(s.toUpperCase(Locale.ROOT)),
          "`text` (one readable line per event) or `json` (one JSON object per line, with"
              + " `edit_id`, `tenant` and `trace_id` on every line about an edit)");
  public static final Setting<String> OTLP_ENDPOINT =
      Setting.url(
          "otlp_endpoint",
          "OpenTelemetry traces of every edit go to this OTLP/HTTP endpoint (e.g."
              + " `http://localhost:4318/v1/traces`); unset, no span leaves the process");

  /** Every setting, in the README's order. */
  public static final List<Setting<?>> ALL =
      List.of(
          HOST,
          PORT,
          MAX_BATCH,
          QUEUE_CAPACITY,
          MAX_BODY_BYTES,
          MAX_STEPS,
          MAX_TEMPLATE_RUN_BYTES,
          MAX_EDIT_MS,
          STALL_MS,
          DRAIN_TIMEOUT_MS,
          BATCHING,
          MODE,
          ROUTING,
          SCHEDULING,
          MAX_STEP_TOKENS,
          AGING_STEPS,
          FULL_STEPS,
          CACHE,
          WORKERS,
          CACHE_MEMORY_BYTES,
          CACHE_DIR,
          CACHE_DISK_BYTES,
          CACHE_PRECISION,
          CACHE_MODE,
          MODEL_DIR,
          BACKEND,
          RETRY_AFTER_SECONDS,
          SYNC_TIMEOUT_MS,
          CLUSTER,
          CLUSTER_CONFIG,
          REMOTE_FETCH_MIB_PER_S,
          REMOTE_ROUND_TRIP_MS,
          KEYS_FILE,
          WEBHOOK_ALLOW,
          WEBHOOK_SECRET,
          WEBHOOK_RETRY_MS,
          RESULT_URL_SECRET,
          RESULT_URL_TTL_S,
          LOG_FORMAT,
          OTLP_ENDPOINT);

  /** The setting with that key, or null. */
  public static Setting<?> byKey(String key) {
    for (Setting<?> s : ALL) if (s.key().equals(key)) return s;
    return null;
  }

  /** The README's configuration table (Markdown), one row per setting. */
  public static String markdownTable() {
    StringBuilder b = new StringBuilder();
    b.append("| key | environment | type | default | meaning |\n|---|---|---|---|---|\n");
    for (Setting<?> s : ALL) {
      b.append("| `")
          .append(s.key())
          .append("` | `")
          .append(s.env())
          .append("` | ")
          .append(s.type())
          .append(" | ")
          .append(s.defaultDoc())
          .append(" | ")
          .append(s.doc())
          .append(" |\n");
    }
    return b.toString();
  }
}
