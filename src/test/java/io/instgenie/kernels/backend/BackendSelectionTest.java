package io.instgenie.kernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.cuda.CudaProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Start-up selection: the GPU when a device answers, the CPU with a logged reason otherwise. */
class BackendSelectionTest {

  private static void assumeNoDevice() {
    Assumptions.assumeFalse(
        CudaProbe.get().available(), "a CUDA device is present: the fallback is not exercised");
  }

  @Test
  @DisplayName("without a CUDA device, best() picks the CPU backend and logs why")
  void fallsBackToCpuWithAReason() {
    assumeNoDevice();
    Logger jul = Logger.getLogger(Backends.class.getName());
    List<String> messages = new ArrayList<>();
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            messages.add(r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    jul.addHandler(h);
    try {
      Backend be = Backends.best();
      assertEquals("cpu-openblas", be.name());
    } finally {
      jul.removeHandler(h);
    }
    assertTrue(
        messages.stream()
            .anyMatch(m -> m.contains("no CUDA device") && m.contains("using the CPU")),
        "log says why the GPU was not used: " + messages);
  }

  @Test
  @DisplayName("asking for 'cuda' without a device fails with the probe's reason")
  void explicitCudaWithoutDeviceFails() {
    assumeNoDevice();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Backends.byName("cuda"));
    assertTrue(
        e.getMessage().contains("backend 'cuda' requested but unavailable")
            && e.getMessage().contains(CudaProbe.get().reason()),
        e.getMessage());
  }

  @Test
  @DisplayName("the probe is asked once and keeps a readable reason")
  void probeIsCachedAndExplains() {
    CudaProbe p = CudaProbe.get();
    assertTrue(p == CudaProbe.get(), "one probe per JVM");
    if (!p.available()) {
      assertFalse(p.reason().isBlank());
      assertTrue(p.toString().startsWith("no CUDA device: "), p.toString());
    } else {
      assertTrue(p.ccMajor() >= 7, p.toString());
    }
  }

  @Test
  @DisplayName("an unknown backend name lists the known ones, cuda included")
  void unknownName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Backends.byName("tpu"));
    assertTrue(e.getMessage().contains("auto, cuda, cpu, reference"), e.getMessage());
  }

  @Test
  @DisplayName("host backends ignore the host-access announcements and run work in place")
  void hostBackendsIgnoreAnnouncements() {
    Backend cpu = new CpuBackend();
    Thread[] ran = new Thread[1];
    cpu.run(() -> ran[0] = Thread.currentThread());
    assertEquals(Thread.currentThread(), ran[0]);
    io.instgenie.kernels.tensor.FloatBuf b =
        io.instgenie.kernels.tensor.FloatBuf.of(new float[] {1});
    cpu.hostWrote(b, 0, 1);
    cpu.hostReads(b, 0, 1);
    assertEquals(1f, b.get(0));
  }
}
