package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.cache.TierKind;
import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.codec.RecordCodec;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.Handoff;
import io.instgenie.verticles.messages.WorkerState;
import io.instgenie.verticles.policy.Forecast;
import io.instgenie.verticles.policy.MemberLoad;
import io.instgenie.verticles.policy.Priority;
import io.instgenie.verticles.policy.Scheduling;
import io.instgenie.verticles.policy.StepBudget;
import io.instgenie.verticles.policy.StepWork;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Messages that cross nodes survive their codec's wire form. */
class ClusterCodecTest {
  @Test
  @DisplayName("A handed-off task crosses the wire intact (template, mask, tokens, seed)")
  void handoffRoundTrip() {
    var model = TestImages.model();
    RgbImage t = TestImages.template(5);
    byte[] levels = new byte[t.width() * t.height()];
    levels[3] = (byte) 255;
    EditRequest r =
        new EditRequest(
            t, new MaskImage(t.width(), t.height(), levels), "a red circle", 3, 9L, null);
    PreparedEdit p = PreparedEdit.of(r, model.config(), model.digest(), 1);
    Handoff h = new Handoff("node-a", 0, new DenoiseTask("id", p, false, 42));
    RecordCodec<Handoff> codec = new RecordCodec<>(Handoff.class);
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, h);
    Handoff back = codec.decodeFromWire(0, b);
    assertEquals("node-a", back.home());
    PreparedEdit q = back.task().edit();
    assertArrayEquals(p.maskedTokens(), q.maskedTokens());
    assertArrayEquals(p.templateTokens(), q.templateTokens());
    assertArrayEquals(t.pixels(), q.request().template().pixels());
    assertEquals(p.templateId(), q.templateId());
    assertEquals(p.seed(), q.seed());
  }

  @Test
  @DisplayName("A worker's report crosses the wire with its templates' tiers and its load fits")
  void workerStateRoundTrip() {
    WorkerState s =
        new WorkerState(
            1,
            List.of(new MemberLoad(40, 3)),
            2,
            8,
            0.25,
            Map.of("t1", TierKind.MEMORY, "t2", TierKind.DISK),
            Map.of(TierKind.DISK, 3.1, TierKind.REMOTE, 1.5),
            new Forecast(
                List.of(
                    new Forecast.Pending(new StepWork(40, 3, Long.MAX_VALUE, Priority.BATCH), 5)),
                Scheduling.SRPT,
                16,
                new StepBudget(8, 256, 128),
                0.5,
                1.25));
    RecordCodec<WorkerState> codec = new RecordCodec<>(WorkerState.class);
    Buffer b = Buffer.buffer();
    codec.encodeToWire(b, s);
    WorkerState back = codec.decodeFromWire(0, b);
    assertEquals(s.cachedTemplates(), back.cachedTemplates());
    assertEquals(s.msPerSegment(), back.msPerSegment());
    assertEquals(s.running(), back.running());
    assertEquals(0.25, back.msPerToken());
    assertEquals(s.forecast(), back.forecast());
  }
}
