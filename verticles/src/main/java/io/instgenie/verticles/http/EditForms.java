package io.instgenie.verticles.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.instgenie.verticles.messages.RawEdit;
import io.instgenie.verticles.messages.ServiceException;
import io.instgenie.verticles.policy.Priority;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads an edit from a multipart form or a JSON body into a {@link RawEdit}; bad fields fail with
 * 400.
 */
final class EditForms {
  /** Which route reads the form: the fields it takes and the body types it accepts. */
  enum Route {
    /** {@code POST /v1/edits}: multipart or JSON, the fields of EditForm/EditJson only. */
    EDIT(
        false,
        false,
        Set.of(),
        Set.of(
            "image",
            "mask",
            "template_id",
            "prompt",
            "steps",
            "seed",
            "guidance",
            "timeout_ms",
            "priority",
            "callback_url")),
    /** {@code PUT /v1/templates}: multipart or JSON, an image and optionally its step count. */
    TEMPLATE(false, true, Set.of(), Set.of("image", "steps")),
    /**
     * {@code POST /v1/images/edits}: multipart only, a prompt required (the OpenAI form); other
     * fields of OpenAI's form are tolerated, as its clients send them, but not the asynchronous
     * route's own that this one cannot honour (a webhook, a deadline answered with an estimate, a
     * template id instead of the image OpenAI's form requires).
     */
    OPENAI(true, false, Set.of("callback_url", "timeout_ms", "template_id"), null);

    final boolean alphaMask;
    final boolean templateOnly;

    /** The fields the route takes, or null for any (its own reader checks what it uses). */
    final Set<String> fields;

    /** Fields of POST /v1/edits that a route taking any field still refuses. */
    final Set<String> refused;

    Route(boolean alphaMask, boolean templateOnly, Set<String> refused, Set<String> fields) {
      this.alphaMask = alphaMask;
      this.templateOnly = templateOnly;
      this.refused = refused;
      this.fields = fields == null ? null : new TreeSet<>(fields);
    }

    /** Its fields, comma-separated in name order. */
    String fieldList() {
      return String.join(", ", fields);
    }
  }

  private EditForms() {}

  static Future<RawEdit> read(Vertx vertx, RoutingContext rc, Route route) {
    String type = rc.request().getHeader("Content-Type");
    String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
    try {
      if (lower.startsWith("application/json") && route != Route.OPENAI) {
        // parsing a body of up to max_body_bytes and decoding its base64 is no event loop's work
        return vertx.executeBlocking(() -> fromJson(rc, route), false);
      }
      if (lower.startsWith("multipart/form-data")) {
        if (!lower.contains("boundary="))
          throw bad("the multipart/form-data Content-Type has no boundary parameter");
        return fromMultipart(vertx, rc, route);
      }
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    String wanted =
        route == Route.OPENAI
            ? "multipart/form-data (image, mask, prompt, n, response_format)"
            : "multipart/form-data (" + route.fieldList() + ") or application/json";
    return Future.failedFuture(
        bad("send " + wanted + (type == null ? "" : "; got Content-Type " + type)));
  }

  private static RawEdit fromJson(RoutingContext rc, Route route) {
    JsonObject j;
    try {
      j = rc.body().asJsonObject();
    } catch (DecodeException e) {
      throw bad("the body is not valid JSON: " + jsonProblem(e));
    } catch (ClassCastException e) {
      throw bad("the JSON body must be an object with the fields " + route.fieldList());
    }
    if (j == null) throw bad("the JSON body is empty");
    known(j.fieldNames(), route);
    String twice = repeatedField(rc.body().buffer());
    if (twice != null) throw bad("field '" + twice + "' is given more than once");
    String prompt = text(j, "prompt");
    checkPrompt(prompt, route);
    return new RawEdit(
        base64(j, "image"),
        base64(j, "mask"),
        text(j, "template_id"),
        prompt,
        integer(number(j, "steps"), "steps"),
        longOf(number(j, "seed"), "seed"),
        floatOf(number(j, "guidance"), "guidance"),
        route.alphaMask,
        route.templateOnly,
        longOf(number(j, "timeout_ms"), "timeout_ms"),
        priority(text(j, "priority")),
        null);
  }

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * The first top-level field a JSON object names twice, or null. Vert.x keeps the last value of a
   * repeated field silently; a form's repeated field is refused, so the JSON one is too.
   */
  private static String repeatedField(Buffer body) {
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      Set<String> seen = new HashSet<>();
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        if (!seen.add(p.currentName())) return p.currentName();
        p.nextToken();
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null; // it parsed as an object above; nothing more to say
    }
  }

  /** Jackson's message without its source excerpt ("at [Source: REDACTED ...]"). */
  private static String jsonProblem(DecodeException e) {
    String m = String.valueOf(e.getMessage()).replaceFirst("^Failed to decode:\\s*", "");
    int at = m.indexOf(" at [Source");
    if (at >= 0) m = m.substring(0, at);
    at = m.indexOf("\n");
    return (at >= 0 ? m.substring(0, at) : m).trim();
  }

  /** Refuses a field the route does not take (a typo would otherwise be silently ignored). */
  private static void known(Iterable<String> names, Route route) {
    for (String n : names) {
      if (route.refused.contains(n))
        throw bad(
            "field '"
                + n
                + "' is for POST /v1/edits (asynchronous); this route answers in the request");
    }
    if (route.fields == null) return;
    for (String n : names) {
      if (!route.fields.contains(n))
        throw bad("unknown field '" + n + "'; this route takes " + route.fieldList());
    }
  }

  /** The fields a form sends as files. */
  private static final Set<String> FILE_FIELDS = Set.of("image", "mask");

  /** The text fields read from any route's form, the OpenAI route's own among them. */
  private static final Set<String> TEXT_READ =
      Set.of(
          "prompt",
          "steps",
          "seed",
          "guidance",
          "priority",
          "n",
          "size",
          "response_format",
          "template_id",
          "timeout_ms",
          "callback_url");

  private static Future<RawEdit> fromMultipart(Vertx vertx, RoutingContext rc, Route route) {
    var form = rc.request().formAttributes();
    List<String> names = new ArrayList<>(form.names());
    for (FileUpload f : rc.fileUploads()) names.add(f.name());
    if (names.isEmpty()) {
      // a body whose parts use another delimiter than the Content-Type's boundary parses as empty
      String length = rc.request().getHeader("Content-Length");
      boolean sent =
          length != null && !length.equals("0")
              || rc.request().headers().contains("Transfer-Encoding", "chunked", true);
      throw bad(
          "the multipart/form-data body holds no fields"
              + (sent ? "; are its parts delimited by the Content-Type's boundary?" : ""));
    }
    known(names, route);
    Set<String> seen = new HashSet<>();
    for (String n : form.names()) {
      if (form.getAll(n).size() > 1) throw bad("field '" + n + "' is given more than once");
      seen.add(n);
    }
    for (FileUpload f : rc.fileUploads()) {
      if (!seen.add(f.name())) throw bad("field '" + f.name() + "' is given more than once");
      // a text field sent as a file (curl -F steps=@n.txt) would otherwise read as absent
      if (!FILE_FIELDS.contains(f.name()) && (route.fields != null || TEXT_READ.contains(f.name())))
        throw bad(
            "field '" + f.name() + "' must be a text field, not a file (only image and mask are)");
    }
    Integer steps = integer(form.get("steps"), "steps");
    Long seed = longOf(form.get("seed"), "seed");
    Float guidance = floatOf(form.get("guidance"), "guidance");
    Long timeoutMs = longOf(form.get("timeout_ms"), "timeout_ms");
    String prompt = form.get("prompt");
    checkPrompt(prompt, route);
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
                    route.alphaMask,
                    route.templateOnly,
                    timeoutMs,
                    priority,
                    null));
  }

  /**
   * Every edit route but template registration needs the prompt field: a missing one would run an
   * unconditioned edit silently. {@code POST /v1/edits} takes an empty prompt as that edit asked
   * for; the OpenAI form needs words.
   */
  private static void checkPrompt(String prompt, Route route) {
    if (route.templateOnly) return;
    if (route == Route.OPENAI && (prompt == null || prompt.isBlank()))
      throw bad("prompt is required");
    if (prompt == null)
      throw bad("prompt is required (an empty prompt asks for an edit without one)");
  }

  /** The class the request names; null when it names none (the caller's default applies). */
  private static Priority priority(String s) {
    if (s == null) return null;
    if (s.isBlank()) throw bad("priority must be interactive or batch, got an empty value");
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

  /** A JSON field as text for the number parsers below (a numeric string is taken too). */
  /**
   * A JSON number field as text for the parsers below, or null when absent: a string, boolean or
   * object is refused (the schema says number), and a whole number written with a fraction ({@code
   * 3.0}) reads as the whole number.
   */
  private static String number(JsonObject j, String key) {
    Object v = j.getValue(key);
    if (v == null) return null;
    if (!(v instanceof Number n)) {
      String given = v instanceof String str ? "the string \"" + str + "\"" : "a " + kind(v);
      throw bad(key + " must be a JSON number, got " + given);
    }
    if ((n instanceof Double || n instanceof Float) && isWhole(n.doubleValue())) {
      return new java.math.BigDecimal(n.doubleValue()).toBigInteger().toString();
    }
    return n instanceof java.math.BigDecimal d ? d.toPlainString() : String.valueOf(n);
  }

  private static boolean isWhole(double d) {
    return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e18;
  }

  private static String kind(Object v) {
    if (v instanceof Boolean) return "boolean";
    if (v instanceof JsonObject) return "JSON object";
    if (v instanceof io.vertx.core.json.JsonArray) return "JSON array";
    return v.getClass().getSimpleName();
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

  /**
   * Standard or URL-safe base64, line breaks and spaces ignored, optionally as a data URL; any
   * other character is a 400 (a lenient decoder would skip it and report an empty image instead).
   */
  private static byte[] decode64(String s, String key) {
    int comma = s.startsWith("data:") ? s.indexOf(',') : -1;
    String text = s.substring(comma + 1).replaceAll("\\s", "");
    boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
    try {
      return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
    } catch (IllegalArgumentException e) {
      throw bad(key + " is not valid base64: " + e.getMessage());
    }
  }

  /** A whole-number field, null when absent; an empty one is refused, not read as absent. */
  static Integer integer(String s, String key) {
    if (absent(s, key)) return null;
    try {
      return Integer.valueOf(s.trim());
    } catch (NumberFormatException e) {
      throw notWhole(s, key, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
  }

  private static Long longOf(String s, String key) {
    if (absent(s, key)) return null;
    try {
      return Long.valueOf(s.trim());
    } catch (NumberFormatException e) {
      throw notWhole(s, key, Long.MIN_VALUE, Long.MAX_VALUE);
    }
  }

  /** Null: the field was not sent. Blank: sent empty, which is refused rather than defaulted. */
  private static boolean absent(String s, String key) {
    if (s == null) return true;
    if (s.isBlank()) throw bad(key + " is empty; leave the field out to get its default");
    return false;
  }

  /** "Not a whole number", or, for digits beyond the type's range, the range itself. */
  private static ServiceException notWhole(String s, String key, long min, long max) {
    if (s.trim().matches("[+-]?\\d+")) {
      return bad(key + " must be between " + min + " and " + max + ", got " + s.trim());
    }
    return bad(key + " must be a whole number, got '" + s + "'");
  }

  private static Float floatOf(String s, String key) {
    if (absent(s, key)) return null;
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
