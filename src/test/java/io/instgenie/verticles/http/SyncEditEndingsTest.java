package io.instgenie.verticles.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.ServiceException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a synchronous edit answers when its edit ends without an image. */
class SyncEditEndingsTest {
  @Test
  @DisplayName(
      "cancelled elsewhere: 409; ended by a forced drain: 503 (retry); any other failure: 500 with"
          + " the error")
  void statuses() {
    ServiceException cancelled =
        OpenAiEdits.notCompleted("e1", JobEvent.of("e1", new JobEvent.Cancelled(4, 3)));
    assertEquals(409, cancelled.failureCode());
    assertEquals("edit e1 was cancelled before it completed", cancelled.getMessage());
    ServiceException drained =
        OpenAiEdits.notCompleted(
            "e2", JobEvent.of("e2", new JobEvent.Failed(JobEvent.Failed.SHUT_DOWN)));
    assertEquals(503, drained.failureCode());
    assertTrue(drained.getMessage().contains("node shut down"), drained.getMessage());
    ServiceException failed =
        OpenAiEdits.notCompleted("e3", JobEvent.of("e3", new JobEvent.Failed("internal error: x")));
    assertEquals(500, failed.failureCode());
    assertTrue(failed.getMessage().contains("internal error: x"), failed.getMessage());
  }
}
