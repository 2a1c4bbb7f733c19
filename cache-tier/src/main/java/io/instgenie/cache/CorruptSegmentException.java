package io.instgenie.cache;

/**
 * A cached segment failed its checksum (or its file's header did): the template has been discarded.
 */
public final class CorruptSegmentException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient TemplateKey key;

  public CorruptSegmentException(TemplateKey key, String message) {
    super(key + ": " + message);
    this.key = key;
  }

  /** The template whose cache was discarded; the caller redoes its template run. */
  public TemplateKey key() {
    return key;
  }
}
