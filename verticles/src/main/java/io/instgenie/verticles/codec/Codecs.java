package io.instgenie.verticles.codec;

import io.instgenie.kernels.io.RgbImage;
import io.instgenie.verticles.messages.Accepted;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.EncodedResult;
import io.instgenie.verticles.messages.Handoff;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.JobRecord;
import io.instgenie.verticles.messages.JobResult;
import io.instgenie.verticles.messages.JobSnapshot;
import io.instgenie.verticles.messages.Placement;
import io.instgenie.verticles.messages.RawEdit;
import io.instgenie.verticles.messages.Registration;
import io.instgenie.verticles.messages.WorkerState;
import io.vertx.core.Vertx;
import java.util.List;

/** Registers one {@link RecordCodec} per message record, once per Vert.x instance. */
public final class Codecs {
  private static final List<Class<?>> MESSAGES =
      List.of(
          RawEdit.class,
          Accepted.class,
          DenoiseTask.class,
          JobEvent.class,
          JobResult.class,
          EncodedResult.class,
          JobSnapshot.class,
          Registration.class,
          WorkerState.class,
          Placement.class,
          Handoff.class,
          JobRecord.class,
          RgbImage.class);

  private Codecs() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void register(Vertx vertx) {
    for (Class<?> c : MESSAGES) {
      vertx.eventBus().registerDefaultCodec((Class) c, new RecordCodec<>(c));
    }
  }
}
