package io.instgenie.verticles.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plot writer on the values short benchmark runs produce. */
class E2ePlotsTest {
  @Test
  @DisplayName(
      "values spanning more than 20x with a zero among them (a short run's empty queue) plot on a"
          + " linear axis instead of failing on a log one; without the zero the log axis draws")
  void zeroAmongWideValues(@TempDir Path dir) throws Exception {
    double[] x = {10, 40};
    E2ePlots.Series wide =
        new E2ePlots.Series("mean", x, new double[] {3, 900}, E2ePlots.Style.LINE, null);
    E2ePlots.Series zero =
        new E2ePlots.Series("queue", x, new double[] {0, 450}, E2ePlots.Style.DASHED, null);
    Path withZero = E2ePlots.write(dir.resolve("a.png"), "t", "rate", "ms", List.of(wide, zero));
    Path logAxis = E2ePlots.write(dir.resolve("b.png"), "t", "rate", "ms", List.of(wide));
    for (Path p : List.of(withZero, logAxis)) {
      byte[] head = Files.readAllBytes(p);
      assertTrue(head.length > 8 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', p + "");
    }
  }
}
