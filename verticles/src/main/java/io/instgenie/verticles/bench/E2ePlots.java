package io.instgenie.verticles.bench;

import io.instgenie.kernels.bench.EngineBench;
import io.instgenie.verticles.bench.E2eBench.Mode;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG plots of {@code bench e2e}, drawn with XChart (headless): latency vs request rate,
 * throughput vs batch size, per-image speedup vs mask ratio.
 */
public final class E2ePlots {
  /** How a series is drawn. */
  public enum Style {
    LINE,
    DASHED,
    POINTS
  }

  /** One line or point cloud: its name, points, style and colour (null: XChart's next). */
  public record Series(String name, double[] x, double[] y, Style style, Color color) {}

  /** Colours by index, so that the series of one mode share one. */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0xff7f0e),
    new Color(0x9467bd),
    new Color(0x8c564b)
  };

  public static Color colour(int i) {
    return PALETTE[Math.floorMod(i, PALETTE.length)];
  }

  private E2ePlots() {}

  /** Writes {@code file} (PNG, 800×500) with the given axes and series. */
  public static Path write(
      Path file, String title, String xTitle, String yTitle, List<Series> series) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(500)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    // a log axis only labels decades: use it only when the values span more than one, and never
    // with a value it cannot place (zero or below: a short run's empty queue, a rate nothing met)
    double lo = Double.MAX_VALUE;
    double hi = 0;
    boolean nonPositive = false;
    for (Series x : series) {
      for (double v : x.y()) {
        if (v > 0) lo = Math.min(lo, v);
        else if (v <= 0) nonPositive = true; // NaN is neither: XChart leaves a gap
        hi = Math.max(hi, v);
      }
    }
    chart.getStyler().setYAxisLogarithmic(!nonPositive && hi / lo > 20);
    chart.getStyler().setMarkerSize(7);
    for (Series s : series) {
      if (s.x().length == 0) continue;
      XYSeries x = chart.addSeries(s.name(), s.x(), s.y());
      if (s.color() != null) {
        x.setLineColor(s.color());
        x.setMarkerColor(s.color());
      }
      switch (s.style()) {
        case POINTS -> {
          x.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
          x.setMarker(SeriesMarkers.CIRCLE);
        }
        case DASHED -> x.setLineStyle(SeriesLines.DASH_DASH);
        case LINE -> {}
      }
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plot " + file, e);
    }
    // saveBitmap appends ".png" when the name lacks it
    return file.toString().endsWith(".png") ? file : Path.of(file + ".png");
  }

  /** Writes the three plots into {@code dir} and answers their paths. */
  public static List<Path> plots(
      Path dir,
      List<E2eBench.RateResult> results,
      EngineBench.Result engine,
      int branches,
      List<Integer> steps,
      double maskRatio) {
    List<Path> out = new ArrayList<>();
    out.add(latencyVsRate(dir, results));
    out.add(throughputVsBatch(dir, results, engine, branches, steps, maskRatio));
    out.add(speedupVsRatio(dir, results, engine));
    return out;
  }

  private static Path latencyVsRate(Path dir, List<E2eBench.RateResult> results) {
    List<Series> series = new ArrayList<>();
    for (Mode m : results.get(0).modes().keySet()) {
      double[] x = results.stream().mapToDouble(E2eBench.RateResult::offeredRps).toArray();
      double[] mean = results.stream().mapToDouble(r -> r.modes().get(m).meanMs() / 1000).toArray();
      double[] p95 = results.stream().mapToDouble(r -> r.modes().get(m).p95Ms() / 1000).toArray();
      Color c = colour(m.ordinal());
      series.add(new Series(m.key() + " mean", x, mean, Style.LINE, c));
      series.add(new Series(m.key() + " p95", x, p95, Style.DASHED, c));
    }
    return write(
        dir.resolve("latency_vs_rate.png"),
        "Latency vs request rate (mean solid, P95 dashed)",
        "offered request rate (1/s, as the sample realised it)",
        "latency (s)",
        series);
  }

  private static Path throughputVsBatch(
      Path dir,
      List<E2eBench.RateResult> results,
      EngineBench.Result engine,
      int branches,
      List<Integer> steps,
      double maskRatio) {
    double meanSteps = steps.stream().mapToInt(Integer::intValue).average().orElse(1);
    String near = E2eReport.nearestRatio(maskRatio);
    List<EngineBench.BatchResult> bs = engine.batches();
    double[] x = bs.stream().mapToDouble(b -> b.batch() / branches).toArray();
    double[] full =
        bs.stream()
            .mapToDouble(
                b -> E2eReport.imagesPerSecond(b.batch() / branches, b.fullStepMs(), meanSteps))
            .toArray();
    double[] masked =
        bs.stream()
            .mapToDouble(
                b ->
                    E2eReport.imagesPerSecond(
                        b.batch() / branches, b.maskedStepMs().get(near), meanSteps))
            .toArray();
    List<Series> series = new ArrayList<>();
    series.add(
        new Series(
            "baseline: full recompute (engine)",
            x,
            full,
            Style.LINE,
            colour(Mode.BASELINE.ordinal())));
    series.add(
        new Series(
            "instgenie: mask " + near + " (engine)",
            x,
            masked,
            Style.LINE,
            colour(Mode.INSTGENIE.ordinal())));
    for (Mode m : results.get(0).modes().keySet()) {
      double[] bx = results.stream().mapToDouble(r -> r.modes().get(m).meanBatchSize()).toArray();
      double[] ty = results.stream().mapToDouble(r -> r.modes().get(m).throughputRps()).toArray();
      series.add(
          new Series(
              m.key() + " served, one point per rate", bx, ty, Style.POINTS, colour(m.ordinal())));
    }
    return write(
        dir.resolve("throughput_vs_batch.png"),
        "Throughput vs batch size (one worker)",
        "batch size (requests per step)",
        "images / s",
        series);
  }

  private static Path speedupVsRatio(
      Path dir, List<E2eBench.RateResult> results, EngineBench.Result engine) {
    List<Series> series = new ArrayList<>();
    Map<String, Double> measured = engine.batches().get(0).measuredSpeedup();
    double[] rx = EngineBench.RATIOS;
    double[] ry = new double[rx.length];
    double[] fy = new double[rx.length];
    for (int i = 0; i < rx.length; i++) {
      ry[i] = measured.get(String.valueOf(rx[i]));
      fy[i] = engine.flopSpeedup().get(String.valueOf(rx[i]));
    }
    series.add(new Series("engine step, 1 request", rx, ry, Style.LINE, colour(0)));
    series.add(new Series("FLOP prediction", rx, fy, Style.DASHED, colour(0)));
    // per request: baseline denoise time over instgenie's, at the lowest rate (least batching)
    E2eBench.RateResult low = results.get(0);
    for (E2eBench.RateResult r : results) if (r.rateRps() < low.rateRps()) low = r;
    Map<Integer, ServeBench.Sample> inst = new HashMap<>();
    ServeBench.Stats fast = low.modes().get(Mode.INSTGENIE);
    ServeBench.Stats full = low.modes().get(Mode.BASELINE);
    if (fast != null) for (ServeBench.Sample s : fast.samples()) inst.put(s.index(), s);
    List<double[]> points = new ArrayList<>();
    for (ServeBench.Sample b : full != null ? full.samples() : List.<ServeBench.Sample>of()) {
      ServeBench.Sample i = inst.get(b.index());
      if (i != null && i.denoiseMs() > 0)
        points.add(new double[] {b.maskRatio(), b.denoiseMs() / i.denoiseMs()});
    }
    series.add(
        new Series(
            String.format(Locale.ROOT, "served requests at %.2f/s (denoise time)", low.rateRps()),
            points.stream().mapToDouble(p -> p[0]).toArray(),
            points.stream().mapToDouble(p -> p[1]).toArray(),
            Style.POINTS,
            colour(2)));
    return write(
        dir.resolve("speedup_vs_mask_ratio.png"),
        "Per-image speedup over full recompute vs mask ratio",
        "mask ratio",
        "speedup (x)",
        series);
  }
}
