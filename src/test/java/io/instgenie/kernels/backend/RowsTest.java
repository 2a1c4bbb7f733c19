package io.instgenie.kernels.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.instgenie.kernels.tensor.FloatBuf;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The parameter objects of the backend seam: element offsets of views, rows of spans. */
class RowsTest {

  @Test
  @DisplayName("a view moved down by rows and right by columns addresses buf[off + r·ld + c]")
  void rowsAddressElements() {
    FloatBuf b = FloatBuf.allocate(100);
    Rows v = Rows.of(b, 7).row(3).col(2);
    assertEquals(3 * 7 + 2, v.off());
    assertEquals(7, v.ld());
    assertEquals(3 * 7 + 2 + 7 * 4 + 5, v.at(4, 5));
    assertEquals(v.at(1, 0), v.row(1).off());
    assertEquals(v.at(0, 6), v.col(6).off());
  }

  @Test
  @DisplayName("a layer's outputs from j on start at weight row j and bias value j")
  void denseOutputs() {
    FloatBuf w = FloatBuf.allocate(12);
    FloatBuf bias = FloatBuf.allocate(4);
    Dense kv = Dense.of(w, bias).outputsFrom(2, 3);
    assertEquals(new Dense(w, 6, bias, 2), kv);
    assertEquals(new Dense(w, 0, null, 0), Dense.of(w));
  }

  @Test
  @DisplayName("key rows run through the first span, then the second; a span has no negative size")
  void spans() {
    Span a = new Span(10, 2);
    Span b = new Span(40, 3);
    long[] rows = new long[5];
    for (int j = 0; j < 5; j++) rows[j] = Span.rowOfBoth(a, b, j);
    assertArrayEquals(new long[] {10, 11, 40, 41, 42}, rows);
    assertEquals(new Span(13, 4), new Span(10, 9).sub(3, 4));
    assertThrows(IllegalArgumentException.class, () -> new Span(0, -1));
  }

  @Test
  @DisplayName("attention on a qkv view that starts at row 2 equals attention with spans 2 rows on")
  void attentionOnOffsetView() {
    int heads = 2, d = 8, h = heads * d, ld = 3 * h + 1, rows = 30;
    Random rnd = new Random(7);
    float[] v = new float[rows * ld];
    for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
    FloatBuf qkv = FloatBuf.of(v);
    for (Backend be : new Backend[] {new ReferenceBackend(), new CpuBackend(false)}) {
      FloatBuf o1 = FloatBuf.allocate(10L * h);
      FloatBuf o2 = FloatBuf.allocate(10L * h);
      Rows all = Rows.of(qkv, ld);
      be.attention(
          Rows.of(o1, h), all, new Span(5, 10), new Span(2, 12), new Span(20, 6), heads, d);
      be.attention(
          Rows.of(o2, h), all.row(2), new Span(3, 10), new Span(0, 12), new Span(18, 6), heads, d);
      assertArrayEquals(o1.toArray(0, 10 * h), o2.toArray(0, 10 * h), be.name());
    }
  }
}
