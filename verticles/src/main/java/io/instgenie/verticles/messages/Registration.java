package io.instgenie.verticles.messages;

/**
 * Admission asks the job table to take a new job (it answers 429 when full); the job must end by
 * {@code deadlineAtMs} (epoch ms; {@code Long.MAX_VALUE}: no deadline). {@code owner}: its tenant
 * and that tenant's limit of unfinished edits (429 past it). {@code task} is the job's task (null
 * where it is not known): clustered, it is written with the job's first record, so a job whose home
 * leaves before the balancer placed it can still be re-admitted.
 */
public record Registration(
    String id,
    String templateId,
    int steps,
    long seed,
    boolean templateOnly,
    long deadlineAtMs,
    Owner owner,
    DenoiseTask task) {
  public Registration {
    if (owner == null) owner = Owner.NONE;
  }

  /** The same registration without its task (a job's record need not keep it). */
  public Registration withoutTask() {
    return task == null
        ? this
        : new Registration(id, templateId, steps, seed, templateOnly, deadlineAtMs, owner, null);
  }
}
