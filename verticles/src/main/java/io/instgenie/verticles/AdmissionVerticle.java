package io.instgenie.verticles;

import io.instgenie.kernels.edit.EditRequest;
import io.instgenie.kernels.edit.Patches;
import io.instgenie.kernels.edit.PreparedEdit;
import io.instgenie.kernels.io.ImageFormatException;
import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.MaskImage;
import io.instgenie.kernels.io.RgbImage;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.verticles.messages.Accepted;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.DeadlineUnmet;
import io.instgenie.verticles.messages.DenoiseTask;
import io.instgenie.verticles.messages.Origin;
import io.instgenie.verticles.messages.Owner;
import io.instgenie.verticles.messages.RawEdit;
import io.instgenie.verticles.messages.Registration;
import io.instgenie.verticles.messages.ServiceException;
import io.instgenie.verticles.observe.EditLog;
import io.instgenie.verticles.observe.EditTracing;
import io.instgenie.verticles.policy.Priority;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission, a worker verticle: decodes the images, validates the request against the model,
 * content-hashes the template, registers the job (the job table answers 429 when full) and hands it
 * to the balancer. Keeps the pixels of recent templates so JSON edits can name one by id.
 */
public final class AdmissionVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionVerticle.class);

  /** Template images kept for edits by id; each is S×S×3 bytes. */
  private static final int TEMPLATES_KEPT = 4096;

  /**
   * A template kept for edits by id: its pixels and the step count its id was made for (an id names
   * pixels, model and steps, so an edit by id without {@code steps} runs that many).
   */
  private record Kept(RgbImage image, int steps) {}

  private final ModelConfig model;
  private final String modelDigest;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Kept> templates =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> e) {
          return size() > TEMPLATES_KEPT;
        }
      };

  /**
   * Which tenant uploaded which template (keys from {@link Owner#templateKey}): a template id is
   * known to a tenant only once that tenant has sent the image here, so ids leak nothing across
   * tenants.
   */
  private final Map<String, Boolean> known =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
          return size() > 4 * TEMPLATES_KEPT;
        }
      };

  private final EditLimits limits;
  private final EditTracing tracing;

  public AdmissionVerticle(ModelConfig model, String modelDigest, EditLimits limits) {
    this(model, modelDigest, limits, EditTracing.OFF);
  }

  public AdmissionVerticle(
      ModelConfig model, String modelDigest, EditLimits limits, EditTracing tracing) {
    this.model = model;
    this.modelDigest = modelDigest;
    this.limits = limits;
    this.tracing = tracing;
  }

  @Override
  public Future<?> start() {
    return Future.all(
        vertx.eventBus().<RawEdit>localConsumer(Addresses.ADMIT, this::admit).completion(),
        vertx
            .eventBus()
            .<String>localConsumer(Addresses.TEMPLATE_KNOWN, m -> m.reply(usable(m.body())))
            .completion());
  }

  /**
   * Whether an edit may name this template by id here: its tenant sent the image, and its pixels
   * are still held (they are not kept across restarts, nor past {@code TEMPLATES_KEPT}).
   */
  private boolean usable(String templateKey) {
    String id = templateKey.substring(templateKey.indexOf('\n') + 1);
    return known.containsKey(templateKey) && templates.containsKey(id);
  }

  /** The admission span, a child of the request whose context the message headers carry. */
  private void admit(Message<RawEdit> msg) {
    Context request = tracing.extract(msg.headers());
    Span span = tracing.tracer().spanBuilder("admission").setParent(request).startSpan();
    admit(msg, EditTracing.traceparent(request))
        .onComplete(
            ar -> {
              if (ar.failed()) span.setStatus(StatusCode.ERROR, ar.cause().getMessage());
              else span.setAttribute("instgenie.edit_id", ar.result());
              span.end();
            });
  }

  /** Answers the message; the future holds the new edit's id, or why it was refused. */
  private Future<String> admit(Message<RawEdit> msg, String traceparent) {
    Promise<String> out = Promise.promise();
    try {
      admit(msg, traceparent, out);
    } catch (RuntimeException | LinkageError e) {
      // a fault of ours, not of the request: answered at once (the caller would otherwise wait for
      // its reply timeout), logged with its stack
      LOG.error("admission failed", e);
      refuse(msg, out, 500, "internal error while admitting the edit: " + e);
    }
    return out.future();
  }

  private void admit(Message<RawEdit> msg, String traceparent, Promise<String> out) {
    PreparedEdit p;
    try {
      p = prepare(msg.body());
    } catch (ServiceException e) {
      refuse(msg, out, e.failureCode(), e.getMessage());
      return;
    } catch (ImageFormatException | IllegalArgumentException e) {
      refuse(msg, out, ServiceException.BAD_REQUEST, e.getMessage());
      return;
    }
    long timeout;
    try {
      timeout = limits.timeoutMs(msg.body().timeoutMs());
    } catch (ServiceException e) {
      refuse(msg, out, e.failureCode(), e.getMessage());
      return;
    }
    String id = UUID.randomUUID().toString();
    boolean templateOnly = msg.body().templateOnly();
    Priority priority =
        msg.body().priority() == null ? Priority.INTERACTIVE : msg.body().priority();
    Owner owner = msg.body().owner();
    PreparedEdit edit = p;
    long now = System.currentTimeMillis();
    Origin origin = new Origin(owner.tenant(), traceparent);
    DenoiseTask task =
        new DenoiseTask(id, edit, templateOnly, now, now + timeout, priority, origin);
    boolean deadline = msg.body().timeoutMs() != null && !templateOnly;
    (deadline ? withinDeadline(task, timeout) : Future.<Void>succeededFuture())
        .compose(
            ok ->
                vertx
                    .eventBus()
                    .request(
                        Addresses.JOB_REGISTER,
                        new Registration(
                            id,
                            p.templateId(),
                            p.steps(),
                            p.seed(),
                            templateOnly,
                            task.deadlineAtMs(),
                            owner,
                            task),
                        new DeliveryOptions().setSendTimeout(10_000)))
        .onSuccess(
            ok -> {
              templates.put(edit.templateId(), new Kept(edit.request().template(), edit.steps()));
              known.put(Owner.templateKey(owner.tenant(), edit.templateId()), Boolean.TRUE);
              vertx.eventBus().send(Addresses.ROUTE, task);
              msg.reply(new Accepted(id, edit.templateId(), edit.seed(), edit.steps()));
              EditLog.info(
                  LOG,
                  id,
                  origin,
                  (templateOnly ? "template pre-warm" : "edit")
                      + " accepted: template "
                      + edit.templateId()
                      + ", "
                      + edit.steps()
                      + " steps");
              out.complete(id);
            })
        .onFailure(
            err -> {
              if (err instanceof DeadlineUnmet d) {
                msg.reply(d); // local: the estimate travels
                out.tryFail(d.getMessage());
              } else refuse(msg, out, ServiceException.statusOf(err), err.getMessage());
            });
  }

  private static void refuse(Message<RawEdit> msg, Promise<String> out, int status, String why) {
    msg.fail(status, why);
    out.tryFail(why);
  }

  /**
   * Admission by estimate, before anything is registered: fails with {@link DeadlineUnmet} when the
   * balancer's estimate for the task exceeds its timeout; an unknown estimate (no step measured
   * yet, or no answer) admits it.
   */
  private Future<Void> withinDeadline(DenoiseTask task, long timeoutMs) {
    return vertx
        .eventBus()
        .<Double>request(Addresses.ESTIMATE, task, new DeliveryOptions().setSendTimeout(2_000))
        .otherwise(e -> null)
        .compose(
            m -> {
              double eta = m == null || m.body() == null ? Double.NaN : m.body();
              return DeadlineUnmet.misses(eta, timeoutMs)
                  ? Future.failedFuture(new DeadlineUnmet(eta, timeoutMs))
                  : Future.succeededFuture();
            });
  }

  private PreparedEdit prepare(RawEdit raw) {
    Kept kept = kept(raw);
    RgbImage template = kept.image();
    MaskImage mask;
    if (raw.templateOnly()) {
      mask =
          new MaskImage(
              template.width(), template.height(), new byte[template.width() * template.height()]);
    } else {
      mask = mask(raw, template);
    }
    EditRequest r =
        new EditRequest(
            template,
            mask,
            raw.prompt(),
            raw.steps() != null || kept.steps() == 0 ? raw.steps() : Integer.valueOf(kept.steps()),
            raw.seed(),
            raw.guidance());
    PreparedEdit p = PreparedEdit.of(r, model, modelDigest, random.nextLong());
    limits.check(p);
    return p;
  }

  /** The edit's mask, of the template's size, selecting at least one pixel. */
  private static MaskImage mask(RawEdit raw, RgbImage template) {
    if (raw.mask() == null)
      throw new ServiceException(ServiceException.BAD_REQUEST, "mask is missing");
    Images.Dimensions d = Images.dimensions(raw.mask(), "mask");
    PreparedEdit.checkMaskSize(d.width(), d.height(), template.width(), template.height());
    MaskImage mask =
        raw.alphaMask()
            ? Images.decodeAlphaMask(raw.mask(), "mask")
            : Images.decodeMask(raw.mask(), "mask");
    if (raw.alphaMask() && !Patches.selectsAny(mask))
      throw new ServiceException(
          ServiceException.BAD_REQUEST,
          "mask has no fully transparent pixel, so there is nothing to edit (transparent pixels"
              + " mark the area to edit)");
    Patches.checkSelects(mask, "mask");
    return mask;
  }

  /**
   * The edit's template: an uploaded image (steps 0: the request's or the model's), or the one kept
   * under {@code template_id} with the steps its id was made for.
   */
  private Kept kept(RawEdit raw) {
    if (raw.image() != null && raw.templateId() != null)
      throw new ServiceException(
          ServiceException.BAD_REQUEST, "give either image or template_id, not both");
    if (raw.image() != null) {
      // a small file may declare a huge image: its header is checked before it is decoded
      Images.Dimensions d = Images.dimensions(raw.image(), "image");
      Patches.checkSize(d.width(), d.height(), model, "template");
      return new Kept(Images.decode(raw.image(), "image"), 0);
    }
    if (raw.templateOnly())
      throw new ServiceException(ServiceException.BAD_REQUEST, "image is required");
    if (raw.templateId() == null)
      throw new ServiceException(
          ServiceException.BAD_REQUEST,
          // the OpenAI-style route (alpha masks) takes no template_id
          raw.alphaMask() ? "image is required" : "image or template_id is required");
    Kept t = templates.get(raw.templateId());
    if (t == null
        || !known.containsKey(Owner.templateKey(raw.owner().tenant(), raw.templateId()))) {
      throw new ServiceException(
          ServiceException.NOT_FOUND,
          "unknown template_id "
              + raw.templateId()
              + ": upload the image (PUT /v1/templates or an edit with an image) first");
    }
    return t;
  }
}
