package io.instgenie.verticles.bench;

import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.scenes.SceneGenerator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded load-test workload and its files (format {@value #FORMAT}, documented in
 * loadtest/README.md): Poisson arrivals, mask ratios from {@link MaskRatios}, templates with Zipf
 * popularity drawn as {@link SceneGenerator} scenes, masks as blocks of whole tokens.
 */
public final class WorkloadTrace {
  public static final String FORMAT = "instgenie-workload/1";
  public static final String HEADER = "workload.json";
  public static final String REQUESTS = "requests.jsonl";
  public static final String TEMPLATES = "templates";

  /** Prompts every preset's vocabulary holds, at most four words (the tiny preset's limit). */
  public static final List<String> PROMPTS =
      List.of("a red circle", "a blue square", "a green star", "a yellow triangle");

  /** What to generate. */
  public record Spec(
      long seed,
      int requests,
      double rateRps,
      int templates,
      double zipfS,
      int imageSize,
      int patchSize,
      double maskMean,
      List<String> prompts,
      List<Integer> steps) {
    public Spec {
      if (requests < 1)
        throw new IllegalArgumentException("--requests must be at least 1, got " + requests);
      if (!(rateRps > 0 && Double.isFinite(rateRps)))
        throw new IllegalArgumentException("--rate must be positive, got " + rateRps);
      if (templates < 1)
        throw new IllegalArgumentException("--templates must be at least 1, got " + templates);
      if (!(zipfS >= 0 && Double.isFinite(zipfS)))
        throw new IllegalArgumentException("--zipf must be 0 or more, got " + zipfS);
      if (patchSize < 1 || imageSize % patchSize != 0)
        throw new IllegalArgumentException(
            "workload: image size " + imageSize + " is not a multiple of patch " + patchSize);
      if (prompts.isEmpty()) throw new IllegalArgumentException("workload: no prompts");
      if (steps.isEmpty() || steps.stream().anyMatch(s -> s < 1))
        throw new IllegalArgumentException("--steps must be positive step counts, got " + steps);
      MaskRatios.withMean(maskMean); // validates the mean
      prompts = List.copyOf(prompts);
      steps = List.copyOf(steps);
    }

    int grid() {
      return imageSize / patchSize;
    }
  }

  /**
   * One request. Its mask is a block of {@code maskTokens} whole tokens: token k of the block is at
   * patch column {@code maskX + k % maskWidth}, patch row {@code maskY + k / maskWidth}.
   */
  public record Request(
      long atMs,
      int template,
      int maskX,
      int maskY,
      int maskWidth,
      int maskTokens,
      double maskRatio,
      String prompt,
      int steps,
      long seed) {

    /** The mask as a grey-level image: white (edit) on the block's patches, black elsewhere. */
    public RgbImage mask(int imageSize, int patchSize) {
      byte[] px = new byte[imageSize * imageSize * 3];
      for (int k = 0; k < maskTokens; k++) {
        int x0 = (maskX + k % maskWidth) * patchSize;
        int y0 = (maskY + k / maskWidth) * patchSize;
        for (int y = y0; y < y0 + patchSize; y++) {
          for (int x = x0; x < x0 + patchSize; x++) {
            int at = (y * imageSize + x) * 3;
            px[at] = px[at + 1] = px[at + 2] = (byte) 255;
          }
        }
      }
      return new RgbImage(imageSize, imageSize, px);
    }
  }

  private final Spec spec;
  private final List<Request> requests;
  private final List<RgbImage> templates;

  private WorkloadTrace(Spec spec, List<Request> requests, List<RgbImage> templates) {
    this.spec = spec;
    this.requests = List.copyOf(requests);
    this.templates = List.copyOf(templates);
  }

  public Spec spec() {
    return spec;
  }

  public List<Request> requests() {
    return requests;
  }

  public RgbImage template(int index) {
    return templates.get(index);
  }

  /** The realised mean mask ratio (tokens are whole, so it differs a little from the spec's). */
  public double meanMaskRatio() {
    return requests.stream().mapToDouble(Request::maskRatio).average().orElse(0);
  }

  /** The requests as the arrivals {@link ServeBench} replays. */
  public List<Workload.Arrival> arrivals() {
    List<Workload.Arrival> out = new ArrayList<>();
    for (Request q : requests) {
      out.add(
          new Workload.Arrival(
              q.atMs(),
              q.template(),
              Images.encodePng(q.mask(spec.imageSize(), spec.patchSize())),
              q.maskRatio(),
              q.seed(),
              q.prompt(),
              q.steps()));
    }
    return out;
  }

  /** Generates the workload of a spec: the same spec gives the same requests and templates. */
  public static WorkloadTrace generate(Spec spec) {
    List<Request> out = requests(spec);
    List<RgbImage> images = new ArrayList<>();
    for (int i = 0; i < spec.templates(); i++) images.add(templateImage(spec, i));
    return new WorkloadTrace(spec, out, images);
  }

  /**
   * The requests of a spec alone, without drawing its templates (as {@link #generate} has them).
   */
  public static List<Request> requests(Spec spec) {
    Random r = new Random(spec.seed());
    MaskRatios ratios = MaskRatios.withMean(spec.maskMean());
    double[] popularity = Workload.zipf(spec.templates(), spec.zipfS());
    int grid = spec.grid();
    int tokens = grid * grid;
    int maxTokens = Math.max(1, (int) Math.floor(MaskRatios.TAIL_HIGH * tokens));
    List<Request> out = new ArrayList<>();
    double t = 0;
    for (int i = 0; i < spec.requests(); i++) {
      t += -Math.log(1 - r.nextDouble()) / spec.rateRps() * 1000;
      // stochastic rounding keeps the expected token count at ratio × tokens
      double exact = ratios.sample(r) * tokens;
      int n = (int) Math.floor(exact) + (r.nextDouble() < exact - Math.floor(exact) ? 1 : 0);
      n = Math.max(1, Math.min(maxTokens, n));
      double aspect = Math.exp((r.nextDouble() - 0.5) * 1.0);
      int w = (int) Math.max(1, Math.min(grid, Math.round(Math.sqrt(n * aspect))));
      if ((n + w - 1) / w > grid) w = (n + grid - 1) / grid;
      int rows = (n + w - 1) / w;
      int x = r.nextInt(grid - w + 1);
      int y = r.nextInt(grid - rows + 1);
      out.add(
          new Request(
              Math.round(t),
              Workload.pick(r, popularity),
              x,
              y,
              w,
              n,
              (double) n / tokens,
              spec.prompts().get(r.nextInt(spec.prompts().size())),
              spec.steps().get(r.nextInt(spec.steps().size())),
              r.nextLong()));
    }
    return out;
  }

  /** Template {@code i}: a generated scene (random pixels below the scenes' 16-pixel minimum). */
  static RgbImage templateImage(Spec spec, int i) {
    if (spec.imageSize() < 16) return Workload.template(i, spec.imageSize());
    return new SceneGenerator(spec.imageSize()).sample(spec.seed() * 1_000_003L + i).image();
  }

  /** Writes {@value #HEADER}, {@value #REQUESTS} and {@value #TEMPLATES}/t000.png... */
  public void write(Path dir) {
    WorkloadFiles.write(this, dir);
  }

  /** Reads a workload written by {@link #write}; a wrong format or a bad line names itself. */
  public static WorkloadTrace read(Path dir) {
    return WorkloadFiles.read(dir);
  }

  /** The templates as read or generated, in index order. */
  List<RgbImage> templates() {
    return templates;
  }

  static WorkloadTrace of(Spec spec, List<Request> requests, List<RgbImage> templates) {
    return new WorkloadTrace(spec, requests, templates);
  }
}
