package io.instgenie.kernels.backend;

import io.instgenie.kernels.tensor.FloatBuf;

/**
 * A row-major matrix view of a buffer: element (r, c) is {@code buf[off + r·ld + c]}. {@code off}
 * is an element offset (of row 0, column 0), {@code ld} the row stride in floats. Views are cheap
 * values: {@code Rows.of(qkv, 3 * hid).row(rq).col(hid)} names the block starting at row rq, column
 * hid, instead of the caller computing {@code rq * 3 * hid + hid}.
 */
public record Rows(FloatBuf buf, long off, int ld) {

  /** The whole buffer as rows of stride {@code ld}, row 0 at element 0. */
  public static Rows of(FloatBuf buf, int ld) {
    return new Rows(buf, 0, ld);
  }

  /** The view whose row 0 is this view's row {@code r} (same columns, same stride). */
  public Rows row(long r) {
    return new Rows(buf, off + r * ld, ld);
  }

  /** The view whose column 0 is this view's column {@code c} (same rows, same stride). */
  public Rows col(long c) {
    return new Rows(buf, off + c, ld);
  }

  /** The element offset in {@code buf} of (r, c). */
  public long at(long r, long c) {
    return off + r * ld + c;
  }
}
