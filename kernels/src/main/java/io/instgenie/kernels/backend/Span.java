package io.instgenie.kernels.backend;

/**
 * {@code count} consecutive rows from row {@code start}: row indices of a {@link Rows} view (not
 * element offsets), as attention addresses its query and key/value rows.
 */
public record Span(long start, int count) {

  public Span {
    if (count < 0) throw new IllegalArgumentException("a span of " + count + " rows");
  }

  /** No rows. */
  public static final Span EMPTY = new Span(0, 0);

  /** The row index of the span's i-th row. */
  public long row(long i) {
    return start + i;
  }

  /** The row of the j-th row of {@code first} followed by {@code second}: attention's keys. */
  public static long rowOfBoth(Span first, Span second, int j) {
    return j < first.count ? first.start + j : second.start + (j - first.count);
  }

  /** {@code n} rows from this span's i-th row. */
  public Span sub(int i, int n) {
    return new Span(start + i, n);
  }
}
