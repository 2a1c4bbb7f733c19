package io.instgenie.verticles.http;

import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows one job's events: subscribes first, then replays the job's history from the job table,
 * then passes live events on, each exactly once and in order (by sequence number). Ends after a
 * terminal event. A follower that resumes after an event its client already has passes on only the
 * later ones, and still ends on a terminal event among those it skips. Runs on the caller's event
 * loop.
 */
final class ProgressFollower {
  private final MessageConsumer<JobEvent> consumer;
  private final Consumer<JobEvent> sink;
  private final Promise<JobEvent> end = Promise.promise();
  private final List<JobEvent> early = new ArrayList<>();
  private boolean replayed;
  private long lastSeq;

  private ProgressFollower(Vertx vertx, String id, long afterSeq, Consumer<JobEvent> sink) {
    this.sink = sink;
    this.lastSeq = afterSeq;
    this.consumer = vertx.eventBus().consumer(Addresses.events(id));
    consumer.handler(
        m -> {
          if (replayed) deliver(m.body());
          else early.add(m.body());
        });
    consumer
        .completion()
        .compose(v -> vertx.eventBus().<JobSnapshot>request(Addresses.JOB_GET, id))
        .onSuccess(
            snap -> {
              for (JobEvent e : snap.body().events()) deliver(e);
              replayed = true;
              for (JobEvent e : early) deliver(e);
              early.clear();
            })
        .onFailure(
            err -> {
              consumer.unregister();
              end.tryFail(err);
            });
  }

  /** Starts following; the future completes with the terminal event (or fails: unknown id). */
  static ProgressFollower follow(Vertx vertx, String id, Consumer<JobEvent> sink) {
    return new ProgressFollower(vertx, id, 0, sink);
  }

  /** As {@link #follow(Vertx, String, Consumer)}, passing on only the events after {@code seq}. */
  static ProgressFollower followAfter(Vertx vertx, String id, long seq, Consumer<JobEvent> sink) {
    return new ProgressFollower(vertx, id, seq, sink);
  }

  Future<JobEvent> end() {
    return end.future();
  }

  /**
   * Stops following (the client went away, or a deadline passed); {@link #end()} fails with {@code
   * reason}.
   */
  void close(String reason) {
    consumer.unregister();
    end.tryFail(reason);
  }

  private void deliver(JobEvent e) {
    if (end.future().isComplete()) return;
    if (e.seq() > lastSeq) {
      lastSeq = e.seq();
      sink.accept(e);
    } else if (!e.terminal()) {
      return; // passed on already (or, resuming, the client has it)
    }
    if (e.terminal()) {
      consumer.unregister();
      end.tryComplete(e);
    }
  }
}
