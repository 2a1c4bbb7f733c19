package io.instgenie.verticles;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, both named by path so that
 * Selenium Manager never looks for (or downloads) a driver. Tests that need it are skipped when
 * either program is missing ({@code apt-get install chromium chromium-driver}; {@code .ci/run} does
 * it).
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM =
      Path.of(System.getProperty("instgenie.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER =
      Path.of(System.getProperty("instgenie.chromedriver", "/usr/bin/chromedriver"));

  /** Long enough for a slow, loaded CI machine; a wait that runs out fails its test. */
  static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * Selenium warns at every start that it has no DevTools protocol classes for this Chromium; the
   * tests do not use DevTools. Held here so that the setting is not garbage-collected.
   */
  private static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

  final ChromeDriver driver;
  private final ChromeDriverService service;
  private final Path profile;

  private Browser(ChromeDriver driver, ChromeDriverService service, Path profile) {
    this.driver = driver;
    this.service = service;
    this.profile = profile;
  }

  /**
   * Why the browser tests cannot run here, or null when Chromium and chromedriver are installed.
   */
  static String missing() {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) return null;
    return "browser tests skipped: "
        + (Files.isExecutable(CHROMIUM) ? CHROMEDRIVER : CHROMIUM)
        + " is not installed (apt-get install chromium chromium-driver; .ci/run does it)";
  }

  /**
   * Starts a browser whose viewport is {@code width}×{@code height}; a test calling it without one
   * is skipped.
   */
  static Browser start(int width, int height) {
    assumeTrue(missing() == null, Browser::missing);
    DEVTOOLS_LOG.setLevel(Level.SEVERE);
    Path profile;
    try {
      profile = Files.createTempDirectory("instgenie-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // as root on a machine whose network is closed: no sandbox, nothing fetched in the background
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogOutput(OutputStream.nullOutputStream())
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    Browser b = new Browser(driver, service, profile);
    b.resize(width, height);
    return b;
  }

  /** Makes the page's viewport (not the window) {@code width}×{@code height}. */
  void resize(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
    long w = ((Number) js("return window.innerWidth")).longValue();
    long h = ((Number) js("return window.innerHeight")).longValue();
    if (w != width || h != height) {
      driver.manage().window().setSize(new Dimension(2 * width - (int) w, 2 * height - (int) h));
    }
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  WebElement find(String id) {
    return driver.findElement(By.id(id));
  }

  /** Waits until {@code condition} answers non-null and non-false; fails with {@code what}. */
  <T> T await(String what, Function<WebDriver, T> condition) {
    return await(what, WAIT, condition);
  }

  <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, timeout, Duration.ofMillis(20))
        .withMessage(() -> "waiting for " + what + "; the page says: " + state())
        .until(condition);
  }

  /** The page's progress line, error and list of edits, for failure messages. */
  String state() {
    try {
      return String.valueOf(
          js(
              "const t = id => (document.getElementById(id) || {}).textContent;"
                  + "return JSON.stringify({progress: t('progress-text'), error: t('error'),"
                  + " edits: [...document.querySelectorAll('#history li')]"
                  + ".map(li => li.dataset.status)})"));
    } catch (RuntimeException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** Opens the page with an empty list of edits (sessionStorage is per tab) and waits for it. */
  void open(String url) {
    driver.get(url);
    js("sessionStorage.clear()");
    driver.navigate().refresh();
    await(
        "the page to read /v1/model",
        d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop(); // in case quit could not reach a hung browser
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a leftover temporary profile is harmless
      }
    }
  }
}
