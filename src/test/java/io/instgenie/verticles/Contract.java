package io.instgenie.verticles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The OpenAPI document on the classpath, read as JSON: its operations, their documented responses,
 * and JSON-schema validation of bodies against the schemas it declares (2020-12, as OpenAPI 3.1).
 */
final class Contract {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaFactory SCHEMAS =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  final JsonNode doc;
  private final Map<String, JsonSchema> compiled = new HashMap<>();

  private Contract(JsonNode doc) {
    this.doc = doc;
  }

  static Contract load() {
    try (InputStream in = Contract.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      assertNotNull(in, "openapi.yaml is on the classpath");
      return new Contract(new YAMLMapper().readTree(in));
    } catch (IOException e) {
      throw new AssertionError("openapi.yaml does not parse", e);
    }
  }

  /** Every documented operation as "METHOD /path" (the path in OpenAPI's {param} form). */
  Set<String> operations() {
    Set<String> out = new TreeSet<>();
    doc.get("paths")
        .fields()
        .forEachRemaining(
            p ->
                p.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        m -> {
                          if (isMethod(m)) out.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
                        }));
    return out;
  }

  /** Every documented response as "METHOD /path STATUS". */
  Set<String> responses() {
    Set<String> out = new TreeSet<>();
    for (String op : operations()) {
      operation(op)
          .get("responses")
          .fieldNames()
          .forEachRemaining(status -> out.add(op + " " + status));
    }
    return out;
  }

  private static boolean isMethod(String m) {
    return Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(m);
  }

  JsonNode operation(String op) {
    String[] mp = op.split(" ", 2);
    JsonNode o = doc.path("paths").path(mp[1]).path(mp[0].toLowerCase(Locale.ROOT));
    assertTrue(o.isObject(), "openapi.yaml documents " + op);
    return o;
  }

  /** The documented response of op for status, with $ref followed; fails when undocumented. */
  JsonNode response(String op, int status) {
    JsonNode r = operation(op).path("responses").path(String.valueOf(status));
    if (r.isMissingNode()) fail(op + " answered " + status + ", which openapi.yaml does not list");
    return resolve(r);
  }

  /** Follows a local $ref ("#/components/..."). */
  JsonNode resolve(JsonNode n) {
    while (n.has("$ref")) n = doc.at(n.get("$ref").asText().substring(1));
    return n;
  }

  /** The JSON pointer of op's response schema for status and media type. */
  String schemaPointer(String op, int status, String mediaType) {
    JsonNode r = operation(op).path("responses").path(String.valueOf(status));
    String base;
    if (r.has("$ref")) base = r.get("$ref").asText().substring(1);
    else base = pointer("paths", op.split(" ", 2)[1], op.split(" ")[0].toLowerCase(Locale.ROOT));
    if (!r.has("$ref")) base += pointer("responses", String.valueOf(status));
    return base + pointer("content", mediaType, "schema");
  }

  private static String pointer(String... parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) b.append('/').append(p.replace("~", "~0").replace("/", "~1"));
    return b.toString();
  }

  /** Validates a JSON text against the schema at pointer (inside this document, refs resolved). */
  void validate(String pointer, String json, String what) {
    JsonSchema schema = compiled.computeIfAbsent(pointer, this::compile);
    JsonNode value;
    try {
      value = JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(what + ": body is not JSON: " + json, e);
    }
    Set<ValidationMessage> errors = schema.validate(value);
    assertEquals(Set.of(), errors, what + ": " + json + " does not match " + pointer);
  }

  /** The whole document as a schema whose root is a $ref to pointer: local refs resolve. */
  private JsonSchema compile(String pointer) {
    assertTrue(!doc.at(pointer).isMissingNode(), "openapi.yaml has a schema at " + pointer);
    ObjectNode root = JSON.createObjectNode();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$ref", "#" + pointer);
    root.set("paths", doc.get("paths"));
    root.set("components", doc.get("components"));
    root.set("webhooks", doc.get("webhooks"));
    return SCHEMAS.getSchema(root);
  }

  /** The media types documented for a response. */
  Set<String> mediaTypes(String op, int status) {
    Set<String> out = new TreeSet<>();
    Iterator<String> it = response(op, status).path("content").fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }
}
