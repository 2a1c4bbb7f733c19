package io.instgenie.kernels.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The spinning helpers cover every index once, pass failures on, and serve concurrent callers. */
class ParallelTest {

  private static int[] visits(int n, int minPerThread) {
    AtomicIntegerArray seen = new AtomicIntegerArray(n);
    Parallel.forRange(
        n,
        minPerThread,
        (from, to) -> {
          for (int i = from; i < to; i++) seen.incrementAndGet(i);
        });
    int[] out = new int[n];
    for (int i = 0; i < n; i++) out[i] = seen.get(i);
    return out;
  }

  @Test
  void everyIndexRunsExactlyOnce() {
    for (int n : new int[] {0, 1, 2, 3, 7, 64, 1001}) {
      for (int min : new int[] {1, 4, 1000}) {
        int[] want = new int[n];
        java.util.Arrays.fill(want, 1);
        // many calls in a row: the helpers hand off through their spin and their park paths
        for (int rep = 0; rep < 50; rep++) assertArrayEquals(want, visits(n, min), n + "/" + min);
      }
    }
  }

  @Test
  void aFailingChunkFailsTheCallAndTheNextCallWorks() {
    IllegalArgumentException boom = new IllegalArgumentException("chunk");
    // the last chunk runs on a helper wherever there is one, the first on the caller
    IllegalArgumentException got =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Parallel.forRange(
                    100,
                    1,
                    (from, to) -> {
                      if (to == 100) throw boom;
                    }));
    assertSame(boom, got);
    assertThrows(
        IllegalStateException.class,
        () ->
            Parallel.forRange(
                100,
                1,
                (from, to) -> {
                  if (from == 0) throw new IllegalStateException("caller's chunk");
                }));
    int[] want = new int[10];
    java.util.Arrays.fill(want, 1);
    assertArrayEquals(want, visits(10, 1));
  }

  @Test
  void nestedAndConcurrentCallersAllFinishCorrectly() throws Exception {
    // nested: a chunk that loops again runs its inner loop on its own thread
    AtomicIntegerArray inner = new AtomicIntegerArray(8 * 8);
    Parallel.forRange(
        8,
        1,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            int row = i;
            Parallel.forRange(
                8,
                1,
                (f, t) -> {
                  for (int j = f; j < t; j++) inner.incrementAndGet(row * 8 + j);
                });
          }
        });
    for (int i = 0; i < 64; i++) assertEquals(1, inner.get(i), "cell " + i);

    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<int[]>> results = new ArrayList<>();
      for (int c = 0; c < 16; c++) results.add(callers.submit(() -> visits(513, 1)));
      int[] want = new int[513];
      java.util.Arrays.fill(want, 1);
      for (Future<int[]> f : results) assertArrayEquals(want, f.get());
    } finally {
      callers.shutdownNow();
    }
  }
}
