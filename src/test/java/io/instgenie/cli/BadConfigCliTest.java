package io.instgenie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code serve} with a bad config: one clear line on stderr and exit status 2, nothing served. */
class BadConfigCliTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"max_batch\": 4294967297}|max_batch must be a whole number from 1 to 2147483647",
        "{\"port\": \"http\"}|port must be a whole number, got 'http'",
        "{\"remote_fetch_mib_per_s\": -1}|remote_fetch_mib_per_s must be a number from 0.001",
        "{\"batching\": \"dynamic\"}|batching must be continuous or static, got 'dynamic'",
        "{\"max_steps\": 0}|max_steps must be a whole number from 1 to 1000000",
        "{\"max_bach\": 4}|unknown key 'max_bach' (known: aging_steps, backend, batching, cache,",
        "{\"log_format\": \"xml\"}|log_format must be text or json, got 'xml'",
        "{\"otlp_endpoint\": \"localhost:4318\"}|otlp_endpoint must be an http(s) URL, got 'localhost:4318'",
        "{\"workers\": [1, 2]}|workers must be a single value",
        "[1, 2]|must hold a JSON object",
        "{\"keys_file\": \"/nonexistent/keys.json\"}|cannot read keys file /nonexistent/keys.json",
        "{\"result_url_ttl_s\": 0}|result_url_ttl_s must be a whole number from 1 to 31536000"
      })
  @DisplayName("each kind of bad value or unknown key: exit 2 and one line naming it")
  void badConfig(String json, String expected) throws Exception {
    Path f = dir.resolve("config.json");
    Files.writeString(f, json);
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(err, true), "serve", "--config", f.toString());
    String text = err.toString().strip();
    assertEquals(Main.BAD_INPUT, code, text);
    assertEquals(1, text.lines().count(), "one line: " + text);
    assertTrue(text.startsWith("error: ") && text.contains(expected), text);
  }
}
