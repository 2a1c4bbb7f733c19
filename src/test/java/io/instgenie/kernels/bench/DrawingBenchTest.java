package io.instgenie.kernels.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.scenes.SceneStyle;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** bench drawing: per-shape rows, the classifier's own accuracy at the last step, determinism. */
class DrawingBenchTest {
  private static final ModelConfig C = Presets.shapes().withProvenance(Map.of("scenes", "simple"));
  private static final DitModel MODEL = DitModel.random(C, 2);

  @Test
  @DisplayName("starting at the last step samples nothing: the scenes themselves, each shape drawn")
  void lastStepIsTheSceneItself() {
    DrawingBench.Result r =
        new DrawingBench(new DitForward(MODEL, new CpuBackend())).run(6, 0, 20, 20, 7f);
    assertEquals(SceneStyle.SIMPLE.shapes().size(), r.rows().size());
    for (DrawingBench.Row row : r.rows()) {
      assertEquals(6, row.asked());
      assertEquals(6, row.drawn(), row.shape() + " seen as " + row.seen());
      assertEquals(Map.of(row.shape().word(), 6), row.seen());
    }
    for (DrawingBench.Sample s : r.samples()) assertArrayEquals(s.scene(), s.drawn());
    assertEquals(1.0, r.score(), 0);
  }

  @Test
  @DisplayName("a sampled run counts every case once and gives the same images again")
  void sampledRunsAddUpAndRepeat() {
    DrawingBench b = new DrawingBench(new DitForward(MODEL, new CpuBackend()));
    DrawingBench.Result r = b.run(2, 5, 3, 1, 2f);
    DrawingBench.Result again = b.run(2, 5, 3, 1, 2f);
    for (int i = 0; i < r.rows().size(); i++) {
      DrawingBench.Row row = r.rows().get(i);
      assertEquals(2, row.seen().values().stream().mapToInt(Integer::intValue).sum(), "" + row);
      assertEquals(row, again.rows().get(i));
    }
    assertEquals(8, r.samples().size());
    for (int i = 0; i < r.samples().size(); i++) {
      assertArrayEquals(r.samples().get(i).drawn(), again.samples().get(i).drawn());
    }
  }

  @Test
  @DisplayName("a start step outside 0..steps is refused")
  void startStepInRange() {
    DrawingBench b = new DrawingBench(new DitForward(MODEL, new CpuBackend()));
    assertThrows(IllegalArgumentException.class, () -> b.run(1, 0, 4, 5, 2f));
    assertThrows(IllegalArgumentException.class, () -> b.run(1, 0, 4, -1, 2f));
  }
}
