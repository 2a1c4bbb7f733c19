package io.instgenie.verticles.http;

import io.instgenie.verticles.ServiceException;
import io.instgenie.verticles.messages.RawEdit;
import io.instgenie.verticles.policy.Priority;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.util.Base64;
import java.util.Locale;

/**
 * Reads an edit from a multipart form or a JSON body into a {@link RawEdit}; bad fields fail with
 * 400.
 */
final class EditForms {
  private EditForms() {}

  static Future<RawEdit> read(
      Vertx vertx, RoutingContext rc, boolean alphaMask, boolean templateOnly) {
    String type = rc.request().getHeader("Content-Type");
    try {
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        return Future.succeededFuture(fromJson(rc, alphaMask, templateOnly));
      }
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
        return fromMultipart(vertx, rc, alphaMask, templateOnly);
      }
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    return Future.failedFuture(
        new ServiceException(
            ServiceException.BAD_REQUEST,
            "send multipart/form-data (image, mask, prompt, steps, seed, guidance) or application/json"));
  }

  private static RawEdit fromJson(RoutingContext rc, boolean alphaMask, boolean templateOnly) {
    JsonObject j;
    try {
      j = rc.body().asJsonObject();
    } catch (DecodeException e) {
      throw bad("the body is not valid JSON: " + e.getMessage());
    }
    if (j == null) throw bad("the JSON body is empty");
    return new RawEdit(
        base64(j, "image"),
        base64(j, "mask"),
        text(j, "template_id"),
        text(j, "prompt"),
        integer(str(j.getValue("steps")), "steps"),
        longOf(str(j.getValue("seed")), "seed"),
        floatOf(str(j.getValue("guidance")), "guidance"),
        alphaMask,
        templateOnly,
        longOf(str(j.getValue("timeout_ms")), "timeout_ms"),
        priority(text(j, "priority")),
        null);
  }

  private static Future<RawEdit> fromMultipart(
      Vertx vertx, RoutingContext rc, boolean alphaMask, boolean templateOnly) {
    var form = rc.request().formAttributes();
    Integer steps = integer(form.get("steps"), "steps");
    Long seed = longOf(form.get("seed"), "seed");
    Float guidance = floatOf(form.get("guidance"), "guidance");
    Long timeoutMs = longOf(form.get("timeout_ms"), "timeout_ms");
    String prompt = form.get("prompt");
    String templateId = form.get("template_id");
    Priority priority = priority(form.get("priority"));
    Future<byte[]> image = upload(vertx, rc, "image");
    Future<byte[]> mask = upload(vertx, rc, "mask");
    return Future.all(image, mask)
        .map(
            v ->
                new RawEdit(
                    image.result(),
                    mask.result(),
                    templateId,
                    prompt,
                    steps,
                    seed,
                    guidance,
                    alphaMask,
                    templateOnly,
                    timeoutMs,
                    priority,
                    null));
  }

  /** The class the request names; null when it names none (the caller's default applies). */
  private static Priority priority(String s) {
    if (s == null || s.isBlank()) return null;
    try {
      return Priority.parse(s);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private static Future<byte[]> upload(Vertx vertx, RoutingContext rc, String field) {
    for (FileUpload f : rc.fileUploads()) {
      if (f.name().equals(field))
        return vertx.fileSystem().readFile(f.uploadedFileName()).map(Buffer::getBytes);
    }
    String inline = rc.request().getFormAttribute(field);
    return Future.succeededFuture(inline == null ? null : decode64(inline, field));
  }

  private static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }

  private static String text(JsonObject j, String key) {
    Object v = j.getValue(key);
    if (v != null && !(v instanceof String)) throw bad(key + " must be a string");
    return (String) v;
  }

  private static byte[] base64(JsonObject j, String key) {
    String s = text(j, key);
    return s == null ? null : decode64(s, key);
  }

  private static byte[] decode64(String s, String key) {
    int comma = s.startsWith("data:") ? s.indexOf(',') : -1;
    try {
      return Base64.getMimeDecoder().decode(s.substring(comma + 1));
    } catch (IllegalArgumentException e) {
      throw bad(key + " is not valid base64: " + e.getMessage());
    }
  }

  static Integer integer(String s, String key) {
    if (s == null || s.isBlank()) return null;
    try {
      return Integer.valueOf(s.trim());
    } catch (NumberFormatException e) {
      throw bad(key + " must be a whole number, got '" + s + "'");
    }
  }

  private static Long longOf(String s, String key) {
    if (s == null || s.isBlank()) return null;
    try {
      return Long.valueOf(s.trim());
    } catch (NumberFormatException e) {
      throw bad(key + " must be a whole number, got '" + s + "'");
    }
  }

  private static Float floatOf(String s, String key) {
    if (s == null || s.isBlank()) return null;
    try {
      float f = Float.parseFloat(s.trim());
      if (!Float.isFinite(f)) throw new NumberFormatException();
      return f;
    } catch (NumberFormatException e) {
      throw bad(key + " must be a number, got '" + s + "'");
    }
  }

  static ServiceException bad(String message) {
    return new ServiceException(ServiceException.BAD_REQUEST, message);
  }
}
