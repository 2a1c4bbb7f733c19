package io.instgenie.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every driver resource the GPU path makes has its release in the same class (nested classes
 * included): a stream its cuStreamDestroy, an event its cuEventDestroy, and so on. Read from the
 * byte code, so it runs without a device; it caught PinnedBlockCache.close leaking its copy stream
 * and four events, and the benchmarks' events and buffers.
 */
class CudaResourcePairsTest {
  private static final Map<String, String> PAIRS =
      Map.of(
          "cuStreamCreate", "cuStreamDestroy",
          "cuEventCreate", "cuEventDestroy",
          "cuMemAlloc", "cuMemFree",
          "cuMemHostAlloc", "cuMemFreeHost",
          "cuModuleLoadData", "cuModuleUnload",
          "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease");

  @Test
  @DisplayName("every class that creates a CUDA stream, event or allocation also releases it")
  void everyCreateHasItsRelease() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.instgenie");
    Map<String, Set<String>> calls = new TreeMap<>();
    for (JavaClass c : classes) {
      String top = c.getName().replaceAll("\\$.*", "");
      for (JavaMethodCall call : c.getMethodCallsFromSelf()) {
        if (call.getTargetOwner().getName().equals("jcuda.driver.JCudaDriver")) {
          calls.computeIfAbsent(top, x -> new TreeSet<>()).add(call.getName());
        }
      }
    }
    assertFalse(calls.isEmpty(), "found the driver calls of the GPU path");
    List<String> missing = new ArrayList<>();
    calls.forEach(
        (cls, names) ->
            PAIRS.forEach(
                (create, release) -> {
                  if (names.contains(create) && !names.contains(release)) {
                    missing.add(cls + " calls " + create + " but never " + release);
                  }
                }));
    assertEquals(List.of(), missing);
  }
}
