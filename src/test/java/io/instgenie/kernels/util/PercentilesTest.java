package io.instgenie.kernels.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PercentilesTest {
  @Test
  void nearestRank() {
    double[] twenty = new double[20];
    for (int i = 0; i < 20; i++) twenty[i] = i + 1;
    assertEquals(19, Percentiles.nearestRank(twenty, 0.95)); // rank ceil(19.0) = 19
    assertEquals(10, Percentiles.nearestRank(twenty, 0.50));
    assertEquals(20, Percentiles.nearestRank(twenty, 0.99)); // rank ceil(19.8) = 20
    assertEquals(7, Percentiles.nearestRank(new double[] {7}, 0.95));
    assertEquals(0, Percentiles.nearestRank(new double[0], 0.95));
  }
}
