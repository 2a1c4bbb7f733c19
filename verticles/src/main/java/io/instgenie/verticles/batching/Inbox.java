package io.instgenie.verticles.batching;

import io.instgenie.verticles.messages.DenoiseTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What other threads hand a step loop (tasks and cancels), taken by the loop between steps. A
 * cancel records the steps the loop had run when it arrived; one that arrives before its task is
 * kept (bounded, oldest forgotten first) and cancels the task when it comes.
 */
final class Inbox {
  private static final int EARLY_CANCELS_KEPT = 1024;

  /** What the loop does with each arrival. */
  interface Handler {
    void task(DenoiseTask t);

    /** Drops a queued or running task; false when the loop holds no task by that id. */
    boolean cancel(String id, long arrivedAtStep);

    /** A task whose cancel came first: it ends at once. */
    void cancelledOnArrival(DenoiseTask t, long arrivedAtStep);
  }

  private record Cancel(String id, long arrivedAtStep) {}

  private static final Cancel WAKE = new Cancel("", 0);

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final LinkedHashMap<String, Long> earlyCancels = new LinkedHashMap<>();

  /** Thread-safe. */
  void submit(DenoiseTask t) {
    queue.add(t);
  }

  /** Thread-safe. */
  void cancel(String id, long arrivedAtStep) {
    queue.add(new Cancel(id, arrivedAtStep));
  }

  /** Thread-safe: wakes a loop waiting for work. */
  void wake() {
    queue.add(WAKE);
  }

  /** Takes the tasks handed in and not yet taken by a loop (one that never ran). */
  List<DenoiseTask> takeTasks() {
    List<DenoiseTask> out = new ArrayList<>();
    for (Object o = queue.poll(); o != null; o = queue.poll())
      if (o instanceof DenoiseTask t) out.add(t);
    return out;
  }

  /** Hands on what arrived; waits up to {@code waitMs} for the first item (0: no wait). */
  void drain(long waitMs, Handler h) throws InterruptedException {
    Object first = waitMs > 0 ? queue.poll(waitMs, TimeUnit.MILLISECONDS) : queue.poll();
    for (Object o = first; o != null; o = queue.poll()) {
      if (o instanceof DenoiseTask t && earlyCancels.containsKey(t.id())) {
        h.cancelledOnArrival(t, earlyCancels.remove(t.id()));
      } else if (o instanceof DenoiseTask t) {
        h.task(t);
      } else if (o instanceof Cancel c && c != WAKE && !h.cancel(c.id(), c.arrivedAtStep())) {
        earlyCancels.put(c.id(), c.arrivedAtStep());
        if (earlyCancels.size() > EARLY_CANCELS_KEPT)
          earlyCancels.remove(earlyCancels.keySet().iterator().next());
      }
    }
  }
}
