package io.instgenie.kernels.dit;

import io.instgenie.kernels.backend.Backend;
import io.instgenie.kernels.tensor.FloatBuf;

/** The forward's work buffers, sized for the largest batch so far. */
final class Workspace {
  FloatBuf x = FloatBuf.allocate(0);
  FloatBuf hn = x;
  FloatBuf qkv = x;
  FloatBuf o = x;
  FloatBuf tmp = x;
  FloatBuf mlp = x;
  FloatBuf patches = x;
  FloatBuf kvRecord = x;
  int rows = -1;

  /** Host scratch for a K/V template run's record, {@code n} floats at least. */
  FloatBuf kvRecord(long n, Backend be) {
    if (kvRecord.size() < n) {
      be.release(kvRecord);
      kvRecord = FloatBuf.allocate(n);
    }
    return kvRecord;
  }

  /** Grows to {@code total} rows; the outgrown buffers are released to {@code be}. */
  void ensure(int total, int h, int ratio, int patchDim, Backend be) {
    if (total <= rows) return;
    for (FloatBuf b : new FloatBuf[] {x, hn, qkv, o, tmp, mlp, patches}) be.release(b);
    rows = total;
    x = FloatBuf.allocate((long) total * h);
    hn = FloatBuf.allocate((long) total * h);
    qkv = FloatBuf.allocate((long) total * 3 * h);
    o = FloatBuf.allocate((long) total * h);
    tmp = FloatBuf.allocate((long) total * h);
    mlp = FloatBuf.allocate((long) total * ratio * h);
    patches = FloatBuf.allocate((long) total * patchDim);
  }
}
