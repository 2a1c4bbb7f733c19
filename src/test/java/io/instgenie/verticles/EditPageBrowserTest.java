package io.instgenie.verticles;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.instgenie.kernels.io.Images;
import io.instgenie.kernels.io.RgbImage;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The editing page at {@code /} in headless Chromium, against the tiny model (16×16): upload,
 * paint, submit, follow, download; cancel; prompt checks; keyboard use and layout.
 */
class EditPageBrowserTest extends SharedService {
  private static final int SIZE = TestImages.SIZE;
  private static final Pattern STEP = Pattern.compile("^Step (\\d+) of (\\d+)");

  /** Long enough to click Cancel while it runs, even where a tiny-model step takes 0.1 ms. */
  private static final int LONG_STEPS = 4000;

  private static Browser browser;

  @BeforeAll
  static void openBrowser() {
    String missing = Browser.missing();
    if (missing == null) {
      browser = Browser.start(1280, 800);
    } else {
      System.getLogger(EditPageBrowserTest.class.getName()).log(Level.WARNING, missing);
    }
  }

  /** Each test, not the class, is skipped without a browser: the reports then say why. */
  @BeforeEach
  void needsBrowser() {
    assumeTrue(browser != null, Browser::missing);
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) browser.close();
  }

  private static String page() {
    return "http://" + ServiceClient.HOST + ":" + client.port() + "/";
  }

  @Test
  @DisplayName(
      "upload the example, paint a mask with the mouse, submit: the bar reaches N of N, the result appears and its unmasked pixels are the template's")
  void uploadPaintSubmitDownload() throws Exception {
    int steps = 6;
    RgbImage template = exampleAtModelSize();
    Path file = Files.createTempFile("instgenie-template-", ".png");
    try {
      Files.write(file, Images.encodePng(template));
      browser.open(page());
      browser.find("upload").sendKeys(file.toString());
      browser.await(
          "the template to load",
          d -> browser.find("template-notice").getText().contains("used as it is"));
    } finally {
      Files.deleteIfExists(file);
    }
    assertArrayEquals(
        template.pixels(), pageTemplate(), "the page shows (and sends) the uploaded pixels as-is");

    // two strokes by synthetic mouse events, at model pixels computed from the canvas's size
    WebElement canvas = browser.find("mask-canvas");
    double scale = canvas.getRect().getWidth() / (double) SIZE;
    new Actions(browser.driver)
        .moveToElement(canvas, offset(3.5, scale), offset(5.5, scale))
        .clickAndHold()
        .moveByOffset((int) Math.round(3 * scale), 0)
        .moveByOffset((int) Math.round(4 * scale), 0)
        .release()
        .moveToElement(canvas, offset(12.5, scale), offset(7.5, scale))
        .clickAndHold()
        .moveByOffset(0, (int) Math.round(5 * scale))
        .release()
        .perform();
    boolean[] mask = pageMask();
    for (int[] p : new int[][] {{3, 5}, {7, 5}, {10, 5}, {12, 7}, {12, 12}}) {
      assertTrue(mask[p[1] * SIZE + p[0]], "the strokes paint pixel (" + p[0] + ", " + p[1] + ")");
    }
    assertFalse(mask[0], "pixel (0, 0) was not painted");
    double ratio = Double.parseDouble(browser.find("mask-ratio").getDomAttribute("data-ratio"));
    assertEquals(count(mask) / (double) (SIZE * SIZE), ratio, 1e-9, "the live mask ratio");
    String tokens = maskedTokens(mask) + "/" + TestImages.TINY.imageTokens() + " tokens";
    assertTrue(
        browser.find("mask-ratio").getText().contains(tokens),
        "the ratio names the tokens an edit recomputes: " + browser.find("mask-ratio").getText());

    // the prompt through completion: "cir" + Tab gives "circle"
    WebElement prompt = browser.find("prompt");
    prompt.sendKeys("a red cir");
    browser.await("completion to offer circle", d -> optionTexts().contains("circle"));
    prompt.sendKeys(Keys.TAB);
    assertEquals("a red circle ", prompt.getDomProperty("value"));
    assertEquals("false", prompt.getDomAttribute("aria-invalid"));
    setNumber("steps", steps);
    recordProgress();
    browser.find("submit").click();

    String done = "Completed: step " + steps + " of " + steps + ".";
    browser.await(
        "the progress to reach " + steps + " of " + steps,
        d -> browser.find("progress-text").getText().equals(done));
    WebElement bar = browser.find("progress");
    assertEquals(String.valueOf(steps), bar.getDomProperty("value"), "the bar's value");
    assertEquals(String.valueOf(steps), bar.getDomProperty("max"), "the bar's maximum");
    assertStepsShown(steps);

    browser.await(
        "the result image to load",
        d ->
            Long.valueOf(SIZE)
                .equals(browser.js("return document.getElementById('result-image').naturalWidth")));
    assertTrue(browser.find("result").isDisplayed(), "the result is shown");
    assertTrue(browser.find("timings").getText().contains("Denoise"), "timings are shown");
    String id = browser.find("result").getDomAttribute("data-id");
    assertEquals("completed", historyStatus(id), "the tab's list of edits");

    WebElement download = browser.find("download");
    assertTrue(download.getDomAttribute("download").startsWith("instgenie-"), "a download link");
    byte[] png = fetch(download.getDomProperty("href"));
    TestImages.assertUnmaskedIdentical(template, mask, png);
  }

  @Test
  @DisplayName(
      "the bundled example is scaled to the model's size with a notice, and Cancel during a long edit shows cancelled")
  void exampleAndCancel() throws Exception {
    browser.open(page());
    useExample();
    assertEquals("true", browser.find("template-notice").getDomAttribute("data-scaled"));
    assertTrue(
        browser.find("template-notice").getText().contains("scaled to " + SIZE + "×" + SIZE),
        browser.find("template-notice").getText());
    assertEquals("a red circle", browser.find("prompt").getDomProperty("value"));
    setNumber("steps", LONG_STEPS);
    browser.find("submit").click();

    // the template's run comes first; cancel once the edit itself is stepping
    browser.await(
        "the edit's steps to start",
        Duration.ofSeconds(90),
        d -> STEP.matcher(browser.find("progress-text").getText()).find());
    browser.find("cancel").click();
    browser.await(
        "the page to say cancelled",
        d -> browser.find("progress-text").getText().equals("Cancelled."));
    String id = browser.find("history").findElement(By.tagName("li")).getDomAttribute("data-id");
    browser.await("the list to say cancelled", d -> "cancelled".equals(historyStatus(id)));
    assertFalse(browser.find("cancel").isEnabled(), "nothing left to cancel");
    assertFalse(browser.find("result").isDisplayed(), "a cancelled edit shows no result");
    JsonObject status = new JsonObject(new String(fetch(page() + "v1/edits/" + id), UTF_8));
    assertEquals("cancelled", status.getString("status"), status.encode());
    assertTrue(status.getInteger("step") < LONG_STEPS, "cancelled before its end: " + status);
  }

  @Test
  @DisplayName("an unknown prompt word is flagged while typing, and Edit then sends nothing")
  void unknownWordFlaggedBeforeSubmit() {
    browser.open(page());
    useExample();
    WebElement prompt = browser.find("prompt");
    prompt.clear();
    prompt.sendKeys("a red unicorn");
    String status = browser.find("prompt-status").getText();
    assertTrue(status.contains("unicorn (unknown)"), status);
    assertTrue(status.contains("Unknown word: unicorn."), status);
    assertEquals("true", prompt.getDomAttribute("aria-invalid"));

    browser.find("submit").click();
    String error = browser.find("error").getText();
    assertTrue(error.contains("does not know “unicorn”"), error);
    assertTrue(browser.find("history").findElements(By.tagName("li")).isEmpty(), "nothing sent");

    prompt.clear();
    prompt.sendKeys("a red circle");
    assertEquals("false", prompt.getDomAttribute("aria-invalid"));
    assertFalse(browser.find("prompt-status").getText().contains("unknown"));
  }

  @Test
  @DisplayName(
      "every input has a label, the mask can be painted and the prompt completed from the keyboard, and the layout fits 1280×800 and a 400 px window")
  void keyboardLabelsAndLayout() {
    browser.open(page());
    Object unlabelled =
        browser.js(
            "return [...document.querySelectorAll('input, select, textarea, canvas[tabindex]')]"
                + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')"
                + " && !e.getAttribute('aria-labelledby')).map(e => e.id)");
    assertEquals(List.of(), unlabelled, "inputs without a label");
    Object nameless =
        browser.js(
            "return [...document.querySelectorAll('button')]"
                + ".filter(b => !b.textContent.trim() && !b.getAttribute('aria-label')).map(b => b.id)");
    assertEquals(List.of(), nameless, "buttons without a name");

    useExample();
    browser.find("clear-mask").sendKeys(Keys.ENTER);
    assertEquals("0", browser.find("mask-ratio").getDomAttribute("data-ratio"));
    // the brush starts at the centre, 1 px wide on a 16 px model: Space, three steps right, Space
    WebElement canvas = browser.find("mask-canvas");
    browser.js("arguments[0].focus()", canvas);
    canvas.sendKeys(Keys.SPACE, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.SPACE);
    assertEquals(4.0 / (SIZE * SIZE), ratio(), 1e-9, "four pixels painted from the keyboard");
    canvas.sendKeys("e", Keys.ENTER);
    assertEquals(3.0 / (SIZE * SIZE), ratio(), 1e-9, "the eraser takes one back");
    assertTrue(browser.find("tool-eraser").isSelected(), "E picks the eraser");

    WebElement prompt = browser.find("prompt");
    prompt.clear();
    prompt.sendKeys("a gre");
    browser.await("completion to offer green", d -> optionTexts().contains("green"));
    prompt.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
    assertEquals("a green ", prompt.getDomProperty("value"));

    assertFitsWidth();
    int top = browser.find("template-panel").getRect().getY();
    assertEquals(top, browser.find("settings-panel").getRect().getY(), "side by side at 1280");
    assertEquals(top, browser.find("result-panel").getRect().getY(), "side by side at 1280");
    try {
      browser.resize(400, 800);
      assertFitsWidth();
      assertTrue(
          browser.find("settings-panel").getRect().getY()
              > browser.find("template-panel").getRect().getY(),
          "stacked in a narrow window");
      assertTrue(browser.find("stage").getRect().getWidth() <= 400, "the stage shrinks to fit");
    } finally {
      browser.resize(1280, 800);
    }
  }

  // ---- helpers ----

  /** The repository's example template, brought to the model's size by nearest neighbour. */
  private static RgbImage exampleAtModelSize() throws IOException {
    RgbImage ex = Images.read(Path.of("examples", "template.png"), "example");
    byte[] px = new byte[SIZE * SIZE * 3];
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int sx = (2 * x + 1) * ex.width() / (2 * SIZE);
        int sy = (2 * y + 1) * ex.height() / (2 * SIZE);
        System.arraycopy(ex.pixels(), (sy * ex.width() + sx) * 3, px, (y * SIZE + x) * 3, 3);
      }
    }
    return new RgbImage(SIZE, SIZE, px);
  }

  /** The screen offset from the canvas's centre to model coordinate {@code model}. */
  private static int offset(double model, double scale) {
    return (int) Math.round((model - SIZE / 2.0) * scale);
  }

  private static void useExample() {
    browser.find("use-example").click();
    browser.await("the example to load", d -> !browser.find("template-notice").getText().isEmpty());
    browser.await("the example's mask", d -> ratio() > 0);
  }

  private static double ratio() {
    return Double.parseDouble(browser.find("mask-ratio").getDomAttribute("data-ratio"));
  }

  private static void setNumber(String id, int value) {
    WebElement field = browser.find(id);
    field.clear();
    field.sendKeys(String.valueOf(value));
  }

  @SuppressWarnings("unchecked")
  private static List<String> optionTexts() {
    return (List<String>)
        browser.js(
            "const l = document.getElementById('prompt-options');"
                + "return l.hidden ? [] : [...l.children].map(li => li.textContent)");
  }

  private static String historyStatus(String id) {
    for (WebElement li : browser.find("history").findElements(By.tagName("li"))) {
      if (id.equals(li.getDomAttribute("data-id"))) return li.getDomAttribute("data-status");
    }
    return null;
  }

  /** The template canvas's pixels as RGB bytes (what the page sends as the template). */
  private static byte[] pageTemplate() {
    List<?> rgba =
        (List<?>)
            browser.js(
                "const c = document.getElementById('template-canvas');"
                    + "return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)");
    byte[] rgb = new byte[rgba.size() / 4 * 3];
    for (int i = 0, j = 0; i < rgba.size(); i++) {
      if (i % 4 != 3) rgb[j++] = (byte) ((Number) rgba.get(i)).intValue();
    }
    return rgb;
  }

  /** The painted mask, read off the overlay canvas (a masked pixel is drawn opaque-ish red). */
  private static boolean[] pageMask() {
    List<?> alpha =
        (List<?>)
            browser.js(
                "const c = document.getElementById('mask-canvas');"
                    + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                    + "return Array.from(d.filter((v, i) => i % 4 === 3))");
    boolean[] mask = new boolean[alpha.size()];
    for (int i = 0; i < mask.length; i++) mask[i] = ((Number) alpha.get(i)).intValue() > 0;
    assertEquals(SIZE * SIZE, mask.length, "mask canvas size");
    return mask;
  }

  private static void assertFitsWidth() {
    long page = ((Number) browser.js("return document.documentElement.scrollWidth")).longValue();
    long window = ((Number) browser.js("return window.innerWidth")).longValue();
    assertTrue(
        page <= window,
        "no horizontal scrolling: the page is " + page + " px wide in a " + window + " px window");
  }

  /** Tokens (patches) holding at least one masked pixel. */
  private static int maskedTokens(boolean[] mask) {
    int p = TestImages.TINY.patchSize();
    int grid = SIZE / p;
    boolean[] token = new boolean[grid * grid];
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) token[(i / SIZE / p) * grid + (i % SIZE) / p] = true;
    }
    int n = 0;
    for (boolean b : token) if (b) n++;
    return n;
  }

  private static int count(boolean[] mask) {
    int n = 0;
    for (boolean b : mask) if (b) n++;
    return n;
  }

  /** Records every text the progress line shows, from now on. */
  private static void recordProgress() {
    browser.js(
        "window.progressSeen = [];"
            + "const t = document.getElementById('progress-text');"
            + "new MutationObserver(() => window.progressSeen.push(t.textContent))"
            + ".observe(t, {childList: true, characterData: true, subtree: true});");
  }

  /**
   * The page said "computing the template's cache", then step 1, 2, ..., N of N, in order (one
   * WebSocket event per step).
   */
  private static void assertStepsShown(int steps) {
    List<?> seen = (List<?>) browser.js("return window.progressSeen");
    List<Integer> shown = new ArrayList<>();
    int firstStep = -1;
    int templateAt = -1;
    for (int i = 0; i < seen.size(); i++) {
      String text = String.valueOf(seen.get(i));
      Matcher m = STEP.matcher(text);
      if (m.find()) {
        assertEquals(steps, Integer.parseInt(m.group(2)), text);
        shown.add(Integer.parseInt(m.group(1)));
        if (firstStep < 0) firstStep = i;
      }
      if (text.startsWith("Computing the template's cache") && templateAt < 0) templateAt = i;
    }
    List<Integer> expected = new ArrayList<>();
    for (int k = 1; k <= steps; k++) expected.add(k);
    assertEquals(expected, shown, "steps shown, in order: " + seen);
    assertTrue(
        templateAt >= 0 && templateAt < firstStep,
        "the template's run is shown before the first step: " + seen);
  }

  private static byte[] fetch(String url) throws IOException, InterruptedException {
    HttpResponse<byte[]> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), "GET " + url);
    return r.body();
  }
}
