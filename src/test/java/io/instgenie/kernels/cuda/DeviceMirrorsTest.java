package io.instgenie.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.instgenie.kernels.tensor.FloatBuf;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The mirrors' bookkeeping on a fake device memory: freeing is explicit, never left to the GC. */
class DeviceMirrorsTest {
  private final List<CUdeviceptr> allocated = new ArrayList<>();
  private final List<CUdeviceptr> freed = new ArrayList<>();
  private final List<Long> uploads = new ArrayList<>();

  private final DeviceMirrors.Memory fake =
      new DeviceMirrors.Memory() {
        @Override
        public CUdeviceptr alloc(long bytes) {
          CUdeviceptr d = new CUdeviceptr();
          allocated.add(d);
          return d;
        }

        @Override
        public void free(CUdeviceptr d) {
          freed.add(d);
        }

        @Override
        public void toDevice(CUdeviceptr d, Pointer host, long bytes) {
          uploads.add(bytes);
        }

        @Override
        public void toHost(Pointer host, CUdeviceptr d, long bytes) {}
      };

  @Test
  @DisplayName("release frees a mirror at once and once only; close frees the rest")
  void releaseAndClose() {
    DeviceMirrors m = new DeviceMirrors(fake);
    FloatBuf a = FloatBuf.allocate(10);
    FloatBuf b = FloatBuf.allocate(20);
    m.at(a, 0);
    m.at(b, 5);
    assertEquals(120, m.liveBytes());
    m.release(a);
    assertEquals(List.of(allocated.get(0)), freed, "a's memory is freed by release, not the GC");
    assertEquals(80, m.liveBytes());
    m.release(a);
    assertEquals(1, freed.size(), "a second release frees nothing");
    m.close();
    assertEquals(List.of(allocated.get(0), allocated.get(1)), freed);
    assertEquals(0, m.liveBytes());
    assertEquals(120, m.bytes(), "bytes() counts every allocation");
  }

  @Test
  @DisplayName("a released buffer seen again gets a fresh mirror, uploaded whole from the host")
  void seenAgain() {
    DeviceMirrors m = new DeviceMirrors(fake);
    FloatBuf a = FloatBuf.allocate(8);
    m.at(a, 0);
    m.at(a, 4);
    assertEquals(1, allocated.size(), "one mirror while held");
    m.release(a);
    m.at(a, 0);
    assertEquals(2, allocated.size(), "a fresh mirror after release");
    assertEquals(List.of(allocated.get(0)), freed);
    assertEquals(List.of(32L, 32L), uploads, "uploaded whole at each first sight");
  }
}
