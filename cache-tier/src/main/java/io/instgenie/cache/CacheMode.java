package io.instgenie.cache;

import io.instgenie.kernels.cached.CacheKind;
import io.instgenie.kernels.model.ModelConfig;
import java.util.Locale;

/**
 * What template runs record (the {@code cache_mode} setting): block outputs ({@code y}), keys and
 * values ({@code kv}: less compute per edit, twice the bytes, only a prefix of blocks may
 * recompute), or {@code auto}.
 */
public enum CacheMode {
  Y,
  KV,
  /**
   * K/V while the memory tier holds at least {@link #AUTO_MIN_TEMPLATES} templates' K/V, else Y: a
   * tier that holds fewer would send most edits to disk, where twice the bytes cost twice the load.
   */
  AUTO;

  /**
   * The smallest number of K/V templates the memory tier must hold for {@code auto} to pick K/V.
   */
  public static final int AUTO_MIN_TEMPLATES = 4;

  /**
   * The kind a template run of {@code steps} steps records under a memory cap of {@code memory}.
   */
  public CacheKind kindFor(ModelConfig c, int steps, Precision precision, long memory) {
    return switch (this) {
      case Y -> CacheKind.Y;
      case KV -> CacheKind.KV;
      case AUTO -> {
        long kv = ActivationShape.of(c, steps, precision, CacheKind.KV).totalBytes();
        yield kv <= memory / AUTO_MIN_TEMPLATES ? CacheKind.KV : CacheKind.Y;
      }
    };
  }

  /** "y", "kv" or "auto", case-insensitive. */
  public static CacheMode parse(String s) {
    return switch (s == null ? "" : s.toLowerCase(Locale.ROOT)) {
      case "y" -> Y;
      case "kv" -> KV;
      case "auto" -> AUTO;
      default ->
          throw new IllegalArgumentException("cache mode must be y, kv or auto, got '" + s + "'");
    };
  }
}
