package io.instgenie.verticles.http.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The keys file, reloaded on change: read (asynchronously, never blocking an event loop) every
 * {@link #POLL_MS} and re-parsed when its bytes differ. A version that does not parse, or a file
 * that is gone, keeps the last good keys and logs why once per change: a typo must not open the
 * service nor lock everyone out. The first read must parse, or the service does not start.
 */
public final class KeysFile implements ApiAccess {
  private static final System.Logger LOG = System.getLogger(KeysFile.class.getName());

  /** How often the file is read for changes. */
  public static final long POLL_MS = 500;

  private final Vertx vertx;
  private final Path path;
  private volatile KeyRing ring;
  private Buffer lastBytes;
  private String lastError;
  private long timer = -1;

  private KeysFile(Vertx vertx, Path path, Buffer bytes, KeyRing ring) {
    this.vertx = vertx;
    this.path = path;
    this.lastBytes = bytes;
    this.ring = ring;
  }

  /** Reads and parses the file, then watches it; fails when the first read does not parse. */
  public static Future<KeysFile> watch(Vertx vertx, Path path) {
    return vertx
        .fileSystem()
        .readFile(path.toString())
        .recover(
            err ->
                Future.failedFuture(
                    new IllegalArgumentException(
                        "cannot read keys file " + path + ": " + err.getMessage())))
        .compose(
            b -> {
              KeyRing r = KeyRing.parse(b.toString(), path.toString());
              KeysFile f = new KeysFile(vertx, path, b, r);
              f.timer = vertx.setPeriodic(POLL_MS, t -> f.poll());
              LOG.log(
                  r.size() == 0 ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                  "keys file "
                      + path
                      + ": "
                      + r.size()
                      + " keys"
                      + (r.size() == 0
                          ? " (every /v1 request gets 401 until keys are added)"
                          : ""));
              return Future.succeededFuture(f);
            });
  }

  /**
   * Reads and parses the file now, blocking (for the command line, before anything starts): a bad
   * file is an {@link IllegalArgumentException} naming what is wrong.
   */
  public static KeyRing check(Path path) {
    try {
      return KeyRing.parse(Files.readString(path), path.toString());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read keys file " + path + ": no such file");
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read keys file " + path + ": " + e);
    }
  }

  @Override
  public Caller caller(String bearerSecret) {
    if (bearerSecret == null) return null;
    KeyRing r = ring;
    ApiKey k = r.find(bearerSecret);
    if (k == null) return null;
    return new Caller(
        k.id(), k.tenant(), k.role(), r.limits(k.tenant()), k.priority(), k.webhookSecret());
  }

  @Override
  public boolean open() {
    return false;
  }

  /** Stops watching. */
  public void close() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  private void poll() {
    vertx
        .fileSystem()
        .readFile(path.toString())
        .onSuccess(this::changed)
        .onFailure(err -> complain("cannot be read (" + err.getMessage() + ")"));
  }

  private void changed(Buffer b) {
    if (b.equals(lastBytes)) return;
    try {
      KeyRing r = KeyRing.parse(b.toString(), path.toString());
      ring = r;
      lastBytes = b;
      lastError = null;
      LOG.log(System.Logger.Level.INFO, "keys file " + path + " reloaded: " + r.size() + " keys");
    } catch (IllegalArgumentException e) {
      complain(e.getMessage());
    }
  }

  private void complain(String why) {
    if (why.equals(lastError)) return;
    lastError = why;
    LOG.log(
        System.Logger.Level.ERROR,
        "keys file " + path + ": " + why + "; the last good keys stay in force");
  }
}
