package io.instgenie.verticles.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The step loop's cost fit: a fixed part and a part per computed row. */
class StepCostsTest {
  @Test
  @DisplayName(
      "steps of 10 and 50 rows costing 2 + 0.1 ms per row: the fit finds 2 ms and 0.1 ms per row")
  void fixedAndPerRow() {
    StepCosts c = new StepCosts();
    for (int i = 0; i < 30; i++) {
      int rows = i % 2 == 0 ? 10 : 50;
      c.measured(2 + 0.1 * rows, rows);
    }
    assertEquals(2.0, c.msPerStep(), 1e-9);
    assertEquals(0.1, c.msPerRow(), 1e-12);
  }

  @Test
  @DisplayName("every step the same rows: a cost per row alone (nothing to tell the parts apart)")
  void sameRows() {
    StepCosts c = new StepCosts();
    for (int i = 0; i < 5; i++) c.measured(6, 20);
    assertEquals(0.0, c.msPerStep());
    assertEquals(0.3, c.msPerRow(), 1e-12);
  }

  @Test
  @DisplayName("a fit whose fixed part would be negative falls back to a cost per row alone")
  void noNegativeFixedPart() {
    StepCosts c = new StepCosts();
    c.measured(1, 10); // 0.1 ms per row
    c.measured(9, 50); // 0.18 ms per row: the line through both crosses below zero
    assertEquals(0.0, c.msPerStep());
    double weighted = (0.95 * 1 + 9) / (0.95 * 10 + 50);
    assertEquals(weighted, c.msPerRow(), 1e-12);
  }

  @Test
  @DisplayName("no rows: nothing measured")
  void noRows() {
    StepCosts c = new StepCosts();
    c.measured(5, 0);
    assertEquals(-1.0, c.msPerRow());
  }
}
