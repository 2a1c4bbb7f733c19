package io.instgenie.kernels.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.backend.Dense;
import io.instgenie.kernels.backend.Modulation;
import io.instgenie.kernels.backend.ReferenceBackend;
import io.instgenie.kernels.backend.Rows;
import io.instgenie.kernels.edit.Noise;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Presets;
import io.instgenie.kernels.model.Prompts;
import io.instgenie.kernels.tensor.FloatBuf;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The forward tells its backend when it drops a work buffer ({@link Backend#release}), so a device
 * backend frees the buffer's copy at once instead of when the GC happens to run.
 */
class ForwardReleaseTest {
  private Set<FloatBuf> seen = identitySet();
  private final Set<FloatBuf> released = identitySet();

  private static Set<FloatBuf> identitySet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }

  /** The reference backend, noting every buffer an operation sees and every release. */
  private Backend recording() {
    Backend ref = new ReferenceBackend();
    return (Backend)
        Proxy.newProxyInstance(
            Backend.class.getClassLoader(),
            new Class<?>[] {Backend.class},
            (proxy, method, args) -> {
              if (method.getName().equals("release")) released.add((FloatBuf) args[0]);
              else if (args != null) {
                for (Object a : args) note(a);
              }
              try {
                return method.invoke(ref, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** A buffer argument, or the buffers inside a parameter object of the seam. */
  private void note(Object a) {
    if (a instanceof FloatBuf b) seen.add(b);
    else if (a instanceof Rows r) seen.add(r.buf());
    else if (a instanceof Modulation m) seen.add(m.buf());
    else if (a instanceof Dense d) {
      seen.add(d.weight());
      if (d.bias() != null) seen.add(d.bias());
    }
  }

  @Test
  @DisplayName("a forward that outgrows its work buffers releases exactly the old ones")
  void outgrownBuffersAreReleased() {
    ModelConfig c = Presets.byName("tiny");
    DitModel m = DitModel.random(c, 7);
    int l = c.imageTokens();
    float[] x = Noise.gaussian(1, l * c.patchDim());
    int[] ids = Prompts.nullPrompt(c);
    DitForward f = new DitForward(m, recording());
    f.run(List.of(Sequence.full(0.5f, ids, x, l, new float[l * c.patchDim()], null)), null);
    Set<FloatBuf> first = seen;
    seen = identitySet();
    released.clear();
    List<Sequence> three = new ArrayList<>();
    for (float t : new float[] {0.2f, 0.5f, 0.9f}) {
      three.add(Sequence.full(t, ids, x, l, new float[l * c.patchDim()], null));
    }
    f.run(three, null);
    Set<FloatBuf> dropped = identitySet();
    dropped.addAll(first);
    dropped.removeAll(seen);
    assertFalse(dropped.isEmpty(), "the larger batch replaced the work buffers");
    assertEquals(
        dropped, released, "released: the buffers of the first run that the second dropped");
    for (FloatBuf b : released)
      assertTrue(!seen.contains(b), "a released buffer is not used again");
  }
}
