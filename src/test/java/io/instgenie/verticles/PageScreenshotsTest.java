package io.instgenie.verticles;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;

/**
 * The README's screenshots of the page, at 1280×800, against a service that is already running
 * (with the model it serves by default): {@code mvn -B -q test -Dtest=PageScreenshotsTest
 * -Dinstgenie.screenshots.url=http://127.0.0.1:8080/}. Skipped without that property.
 */
class PageScreenshotsTest {
  private static final Pattern STEP = Pattern.compile("^Step (\\d+) of (\\d+)");

  @Test
  @DisplayName("screenshots of the page mid-edit and after an edit (docs/page-*.png)")
  void screenshots() throws Exception {
    String url = System.getProperty("instgenie.screenshots.url");
    assumeTrue(
        url != null && !url.isBlank(),
        "screenshots are taken only on request: -Dinstgenie.screenshots.url=http://HOST:PORT/");
    Path dir = Path.of(System.getProperty("instgenie.screenshots.dir", "docs"));
    Files.createDirectories(dir);
    try (Browser b = Browser.start(1280, 800)) {
      b.open(url);
      b.find("use-example").click();
      b.await("the example to load", d -> !b.find("template-notice").getText().isEmpty());
      b.find("seed").sendKeys("7");
      b.find("submit").click();
      // mid-edit: a little under half of the edit's own steps done
      b.await(
          "the edit to be under way",
          Duration.ofMinutes(5),
          d -> {
            Matcher m = STEP.matcher(b.find("progress-text").getText());
            return m.find() && 5 * Integer.parseInt(m.group(1)) >= 2 * Integer.parseInt(m.group(2));
          });
      Files.write(dir.resolve("page-mid-edit.png"), b.driver.getScreenshotAs(OutputType.BYTES));
      b.await(
          "the edit to complete",
          Duration.ofMinutes(5),
          d -> b.find("progress-text").getText().startsWith("Completed"));
      b.await(
          "the result image",
          d ->
              ((Number) b.js("return document.getElementById('result-image').naturalWidth"))
                      .intValue()
                  > 0);
      // move the before/after split to the right: the edited side then covers the mask
      for (int i = 0; i < 25; i++) b.find("compare-slider").sendKeys(Keys.ARROW_RIGHT);
      b.js("document.activeElement.blur(); window.scrollTo(0, 0)");
      Files.write(dir.resolve("page-done.png"), b.driver.getScreenshotAs(OutputType.BYTES));
    }
  }
}
