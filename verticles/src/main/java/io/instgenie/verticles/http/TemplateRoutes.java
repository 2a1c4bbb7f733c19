package io.instgenie.verticles.http;

import io.instgenie.verticles.http.auth.Caller;
import io.instgenie.verticles.http.auth.Gate;
import io.instgenie.verticles.http.reply.Responses;
import io.instgenie.verticles.messages.Addresses;
import io.instgenie.verticles.messages.JobEvent;
import io.instgenie.verticles.messages.Owner;
import io.instgenie.verticles.messages.ServiceException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * {@code /v1/templates}: pre-warm and state. A tenant knows only the template ids of images it sent
 * itself (see {@link AdmissionVerticle#scoped}); another's answers as unknown.
 */
final class TemplateRoutes {
  private final Vertx vertx;
  private final Calls calls;

  TemplateRoutes(Vertx vertx, Calls calls) {
    this.vertx = vertx;
    this.calls = calls;
  }

  /** Pre-warm: upload a template, answer with its id once its template run is done. */
  void putTemplate(RoutingContext rc) {
    Caller caller = Gate.caller(rc);
    EditForms.read(vertx, rc, EditForms.Route.TEMPLATE)
        .compose(raw -> calls.admit(rc, raw, caller))
        .compose(
            a -> ProgressFollower.follow(vertx, a.id(), e -> {}).end().map(e -> Map.entry(a, e)))
        .onSuccess(
            p -> {
              if (p.getValue().body() instanceof JobEvent.Completed) {
                Responses.json(
                    rc,
                    200,
                    new JsonObject()
                        .put("template_id", p.getKey().templateId())
                        .put("status", "ready")
                        .put("steps", p.getKey().steps()));
              } else if (p.getValue().body() instanceof JobEvent.Failed f
                  && JobEvent.Failed.SHUT_DOWN.equals(f.error())) {
                // a forced drain ended it: another node (or this one, restarted) can take it
                calls.reject(
                    rc,
                    new ServiceException(
                        ServiceException.UNAVAILABLE,
                        "the template run ended unfinished: the node shut down (draining); retry"));
              } else {
                Responses.error(rc, 500, "template run " + Calls.outcome(p.getValue()));
              }
            })
        .onFailure(err -> calls.reject(rc, err));
  }

  void getTemplate(RoutingContext rc) {
    String id = rc.pathParam("id");
    known(id, Gate.caller(rc))
        .compose(
            v -> vertx.eventBus().<JsonObject>request(Addresses.TEMPLATE_GET, id, Calls.TIMEOUT))
        .onSuccess(m -> Responses.json(rc, 200, m.body()))
        .onFailure(err -> Responses.failure(rc, err));
  }

  /**
   * Succeeds when the caller may name the template id in an edit here: its tenant (any, on the open
   * service) sent the image, and this node still holds the pixels; else 404, as such an edit gets.
   */
  private Future<Void> known(String id, Caller caller) {
    return vertx
        .eventBus()
        .<Boolean>request(
            Addresses.TEMPLATE_KNOWN, Owner.templateKey(caller.tenant(), id), Calls.TIMEOUT)
        .compose(
            m ->
                m.body()
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(
                        new ServiceException(
                            ServiceException.NOT_FOUND,
                            "unknown template id "
                                + id
                                + ": this node holds no image of it (upload it with PUT"
                                + " /v1/templates; images are not kept across restarts)")));
  }
}
