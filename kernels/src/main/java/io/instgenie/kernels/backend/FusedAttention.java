package io.instgenie.kernels.backend;

import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention in one cache-blocked pass per head and group of query rows, as flash-attention does:
 * keys in blocks of {@link #KB}, a block's scores kept in a small tile, an online softmax (a
 * running max and sum per query row; the output so far rescaled when the max grows) and the block's
 * values accumulated at once, so the nq × nk score matrix never exists. Keys and values of both
 * spans are first packed per head into arrays: K transposed (d × nk, keys along the vector lanes,
 * so scores are broadcast-FMAs like a GEMM's) and V row-major (nk × d), padded to whole key blocks.
 * Handles head sizes that are a multiple of two vectors ({@link #supports}); the caller delegates
 * the rest.
 */
final class FusedAttention {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Keys per block: eight vectors of scores per query row. */
  static final int KB = 8 * L;

  /** Query rows per group: their scores, sums and outputs stay in registers and the tile. */
  private static final int QG = 4;

  /** Query rows per parallel task. */
  private static final int CHUNK = 64;

  /** Packed K and V of the call in progress, grown and reused (one forward thread per backend). */
  private final ThreadLocal<float[][]> packs = ThreadLocal.withInitial(() -> new float[2][0]);

  /** Per-thread tile: a group's queries, scores, outputs and softmax state. */
  private final ThreadLocal<Tile> tiles = ThreadLocal.withInitial(Tile::new);

  private static final class Tile {
    float[] q = new float[0];
    float[] o = new float[0];
    final float[] s = new float[QG * KB];
    final float[] m = new float[QG];
    final float[] l = new float[QG];
    float[] row = new float[0];

    void ensure(int d) {
      if (q.length < QG * d) {
        q = new float[QG * d];
        o = new float[QG * d];
        row = new float[d];
      }
    }
  }

  /** True when head size {@code d} fits the kernel: a whole number of vector pairs. */
  static boolean supports(int d) {
    return d > 0 && d % (2 * L) == 0;
  }

  /** The contract of {@link Backend#attention}. */
  void attention(Rows out, Rows qkv, Span q, Span kv1, Span kv2, int heads, int d) {
    int nq = q.count();
    int nk = kv1.count() + kv2.count();
    if (nq == 0 || nk == 0) return;
    int nkp = (nk + KB - 1) / KB * KB;
    float[][] p = packs.get();
    int size = heads * d * nkp;
    if (p[0].length < size) {
      p[0] = new float[size];
      p[1] = new float[size];
    }
    float[] kt = p[0];
    float[] v = p[1];
    int h = heads * d;
    Parallel.forRange(
        heads,
        1,
        (from, to) -> {
          for (int e = from; e < to; e++) pack(qkv, kv1, kv2, h, d, e, nkp, kt, v);
        });
    int chunks = (nq + CHUNK - 1) / CHUNK;
    float scale = (float) (1.0 / Math.sqrt(d));
    Parallel.forRange(
        heads * chunks,
        1,
        (from, to) -> {
          Tile t = tiles.get();
          t.ensure(d);
          for (int task = from; task < to; task++) {
            int e = task / chunks;
            int r0 = (task % chunks) * CHUNK;
            int end = Math.min(nq, r0 + CHUNK);
            for (int g = r0; g < end; g += QG) {
              int rows = Math.min(QG, end - g);
              group(t, qkv, q.sub(g, rows), out.row(g), kt, v, e, d, nk, nkp, scale);
            }
          }
        });
  }

  /** Keys transposed per tile of this many: each kt row segment written is one cache line. */
  private static final int TILE = 16;

  /** {0, d, 2d, ...}: the gather of one column of a tile of key rows. */
  private static int[] rowIndex(int d) {
    int[] idx = new int[L];
    for (int i = 0; i < L; i++) idx[i] = i * d;
    return idx;
  }

  /** Head e's keys transposed into kt and values into v, both spans in order, zero padding. */
  private static void pack(
      Rows qkv, Span kv1, Span kv2, int h, int d, int e, int nkp, float[] kt, float[] v) {
    int nk = kv1.count() + kv2.count();
    FloatBuffer src = qkv.buf().floats();
    int base = e * d * nkp;
    float[] k = new float[TILE * d];
    int[] rows = rowIndex(d);
    for (int j0 = 0; j0 < nk; j0 += TILE) {
      int n = Math.min(TILE, nk - j0);
      for (int jj = 0; jj < n; jj++) {
        int j = j0 + jj;
        int at = (int) qkv.at(Span.rowOfBoth(kv1, kv2, j), h + (long) e * d);
        src.get(at, k, jj * d, d);
        src.get(at + h, v, base + j * d, d);
      }
      if (n == TILE && TILE == L) {
        // one gather per head dimension: lane jj reads k[jj·d + c]
        for (int c = 0; c < d; c++) {
          FloatVector.fromArray(S, k, c, rows, 0).intoArray(kt, base + c * nkp + j0);
        }
      } else {
        for (int c = 0; c < d; c++) {
          int to = base + c * nkp + j0;
          for (int jj = 0; jj < n; jj++) kt[to + jj] = k[jj * d + c];
        }
      }
    }
    for (int c = 0; c < d; c++) Arrays.fill(kt, base + c * nkp + nk, base + (c + 1) * nkp, 0f);
    Arrays.fill(v, base + nk * d, base + nkp * d, 0f);
  }

  /** Up to QG query rows of head e against every key block. */
  private static void group(
      Tile t,
      Rows qkv,
      Span rows,
      Rows out,
      float[] kt,
      float[] v,
      int e,
      int d,
      int nk,
      int nkp,
      float scale) {
    float[] q = t.q;
    Arrays.fill(q, 0, QG * d, 0f);
    for (int r = 0; r < rows.count(); r++) {
      qkv.buf().floats().get((int) qkv.at(rows.row(r), (long) e * d), q, r * d, d);
      for (int c = 0; c < d; c++) q[r * d + c] *= scale;
    }
    Arrays.fill(t.o, 0, QG * d, 0f);
    Arrays.fill(t.m, Float.NEGATIVE_INFINITY);
    Arrays.fill(t.l, 0f);
    int base = e * d * nkp;
    for (int kb = 0; kb < nkp; kb += KB) {
      for (int k4 = 0; k4 < KB; k4 += 4 * L) scores(q, kt, base + kb + k4, nkp, d, t.s, k4);
      softmaxUpdate(t, d, Math.min(KB, nk - kb));
      accumulate(t.s, v, base + kb * d, d, t.o);
    }
    for (int r = 0; r < rows.count(); r++) {
      float inv = 1f / t.l[r];
      for (int c = 0; c < d; c++) t.row[c] = t.o[r * d + c] * inv;
      out.buf().floats().put((int) out.at(r, (long) e * d), t.row, 0, d);
    }
  }

  /**
   * s[r, j0..j0+4L) = q_r · k_j for four vectors of keys from kt[at]: all four rows at once,
   * sixteen accumulators, eight loads per sixteen FMAs.
   */
  private static void scores(float[] q, float[] kt, int at, int nkp, int d, float[] s, int j0) {
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
    for (int c = 0; c < d; c++) {
      int k = at + c * nkp;
      FloatVector k0 = FloatVector.fromArray(S, kt, k);
      FloatVector k1 = FloatVector.fromArray(S, kt, k + L);
      FloatVector k2 = FloatVector.fromArray(S, kt, k + 2 * L);
      FloatVector k3 = FloatVector.fromArray(S, kt, k + 3 * L);
      FloatVector w = FloatVector.broadcast(S, q[c]);
      a0 = k0.fma(w, a0);
      a1 = k1.fma(w, a1);
      a2 = k2.fma(w, a2);
      a3 = k3.fma(w, a3);
      w = FloatVector.broadcast(S, q[d + c]);
      b0 = k0.fma(w, b0);
      b1 = k1.fma(w, b1);
      b2 = k2.fma(w, b2);
      b3 = k3.fma(w, b3);
      w = FloatVector.broadcast(S, q[2 * d + c]);
      c0 = k0.fma(w, c0);
      c1 = k1.fma(w, c1);
      c2 = k2.fma(w, c2);
      c3 = k3.fma(w, c3);
      w = FloatVector.broadcast(S, q[3 * d + c]);
      d0 = k0.fma(w, d0);
      d1 = k1.fma(w, d1);
      d2 = k2.fma(w, d2);
      d3 = k3.fma(w, d3);
    }
    store4(s, j0, a0, a1, a2, a3);
    store4(s, KB + j0, b0, b1, b2, b3);
    store4(s, 2 * KB + j0, c0, c1, c2, c3);
    store4(s, 3 * KB + j0, d0, d1, d2, d3);
  }

  private static void store4(
      float[] s, int at, FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
    v0.intoArray(s, at);
    v1.intoArray(s, at + L);
    v2.intoArray(s, at + 2 * L);
    v3.intoArray(s, at + 3 * L);
  }

  /**
   * Online softmax over one block of {@code valid} keys (the rest padding): s becomes exp(s − m'),
   * with m' the new running max; the running sum and the output so far are rescaled by e^(m − m').
   */
  private static void softmaxUpdate(Tile t, int d, int valid) {
    float[] s = t.s;
    for (int r = 0; r < QG; r++) {
      int at = r * KB;
      if (valid < KB) Arrays.fill(s, at + valid, at + KB, Float.NEGATIVE_INFINITY);
      FloatVector mx = FloatVector.fromArray(S, s, at);
      for (int j = L; j < KB; j += L) mx = mx.max(FloatVector.fromArray(S, s, at + j));
      float mNew = Math.max(t.m[r], mx.reduceLanes(VectorOperators.MAX));
      FloatVector mv = FloatVector.broadcast(S, mNew);
      FloatVector sum = FloatVector.zero(S);
      for (int j = 0; j < KB; j += L) {
        FloatVector ev = VectorMath.exp(FloatVector.fromArray(S, s, at + j).sub(mv));
        ev.intoArray(s, at + j);
        sum = sum.add(ev);
      }
      if (valid < KB) {
        // exp clamps far below zero to ~1e-38: padding must weigh nothing at all
        for (int j = valid; j < KB; j++) {
          s[at + j] = 0f;
        }
        sum = FloatVector.zero(S);
        for (int j = 0; j < KB; j += L) sum = sum.add(FloatVector.fromArray(S, s, at + j));
      }
      float alpha = t.m[r] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(t.m[r] - mNew);
      t.l[r] = t.l[r] * alpha + sum.reduceLanes(VectorOperators.ADD);
      t.m[r] = mNew;
      if (alpha != 1f) {
        for (int c = 0; c < d; c += L) {
          FloatVector.fromArray(S, t.o, r * d + c).mul(alpha).intoArray(t.o, r * d + c);
        }
      }
    }
  }

  /**
   * o[r] += Σ_j s[r, j]·v_j over the block: four rows × four value vectors per pass where the head
   * size allows, then four rows × two.
   */
  private static void accumulate(float[] s, float[] v, int at, int d, float[] o) {
    int c4 = d / (4 * L) * (4 * L);
    for (int c = 0; c < c4; c += 4 * L) accumulate4(s, v, at, d, o, c);
    for (int c = c4; c < d; c += 2 * L) accumulate2(s, v, at, d, o, c);
  }

  /** Columns c..c+4L of the four rows: sixteen accumulators. */
  private static void accumulate4(float[] s, float[] v, int at, int d, float[] o, int c) {
    FloatVector a0 = FloatVector.fromArray(S, o, c);
    FloatVector a1 = FloatVector.fromArray(S, o, c + L);
    FloatVector a2 = FloatVector.fromArray(S, o, c + 2 * L);
    FloatVector a3 = FloatVector.fromArray(S, o, c + 3 * L);
    FloatVector b0 = FloatVector.fromArray(S, o, d + c);
    FloatVector b1 = FloatVector.fromArray(S, o, d + c + L);
    FloatVector b2 = FloatVector.fromArray(S, o, d + c + 2 * L);
    FloatVector b3 = FloatVector.fromArray(S, o, d + c + 3 * L);
    FloatVector c0 = FloatVector.fromArray(S, o, 2 * d + c);
    FloatVector c1 = FloatVector.fromArray(S, o, 2 * d + c + L);
    FloatVector c2 = FloatVector.fromArray(S, o, 2 * d + c + 2 * L);
    FloatVector c3 = FloatVector.fromArray(S, o, 2 * d + c + 3 * L);
    FloatVector d0 = FloatVector.fromArray(S, o, 3 * d + c);
    FloatVector d1 = FloatVector.fromArray(S, o, 3 * d + c + L);
    FloatVector d2 = FloatVector.fromArray(S, o, 3 * d + c + 2 * L);
    FloatVector d3 = FloatVector.fromArray(S, o, 3 * d + c + 3 * L);
    for (int j = 0; j < KB; j++) {
      int vi = at + j * d + c;
      FloatVector v0 = FloatVector.fromArray(S, v, vi);
      FloatVector v1 = FloatVector.fromArray(S, v, vi + L);
      FloatVector v2 = FloatVector.fromArray(S, v, vi + 2 * L);
      FloatVector v3 = FloatVector.fromArray(S, v, vi + 3 * L);
      FloatVector p = FloatVector.broadcast(S, s[j]);
      a0 = v0.fma(p, a0);
      a1 = v1.fma(p, a1);
      a2 = v2.fma(p, a2);
      a3 = v3.fma(p, a3);
      p = FloatVector.broadcast(S, s[KB + j]);
      b0 = v0.fma(p, b0);
      b1 = v1.fma(p, b1);
      b2 = v2.fma(p, b2);
      b3 = v3.fma(p, b3);
      p = FloatVector.broadcast(S, s[2 * KB + j]);
      c0 = v0.fma(p, c0);
      c1 = v1.fma(p, c1);
      c2 = v2.fma(p, c2);
      c3 = v3.fma(p, c3);
      p = FloatVector.broadcast(S, s[3 * KB + j]);
      d0 = v0.fma(p, d0);
      d1 = v1.fma(p, d1);
      d2 = v2.fma(p, d2);
      d3 = v3.fma(p, d3);
    }
    store4(o, c, a0, a1, a2, a3);
    store4(o, d + c, b0, b1, b2, b3);
    store4(o, 2 * d + c, c0, c1, c2, c3);
    store4(o, 3 * d + c, d0, d1, d2, d3);
  }

  /** Columns c..c+2L of the four rows: eight accumulators. */
  private static void accumulate2(float[] s, float[] v, int at, int d, float[] o, int c) {
    FloatVector a0 = FloatVector.fromArray(S, o, c);
    FloatVector a1 = FloatVector.fromArray(S, o, c + L);
    FloatVector b0 = FloatVector.fromArray(S, o, d + c);
    FloatVector b1 = FloatVector.fromArray(S, o, d + c + L);
    FloatVector c0 = FloatVector.fromArray(S, o, 2 * d + c);
    FloatVector c1 = FloatVector.fromArray(S, o, 2 * d + c + L);
    FloatVector d0 = FloatVector.fromArray(S, o, 3 * d + c);
    FloatVector d1 = FloatVector.fromArray(S, o, 3 * d + c + L);
    for (int j = 0; j < KB; j++) {
      int vi = at + j * d + c;
      FloatVector v0 = FloatVector.fromArray(S, v, vi);
      FloatVector v1 = FloatVector.fromArray(S, v, vi + L);
      FloatVector p0 = FloatVector.broadcast(S, s[j]);
      FloatVector p1 = FloatVector.broadcast(S, s[KB + j]);
      FloatVector p2 = FloatVector.broadcast(S, s[2 * KB + j]);
      FloatVector p3 = FloatVector.broadcast(S, s[3 * KB + j]);
      a0 = v0.fma(p0, a0);
      a1 = v1.fma(p0, a1);
      b0 = v0.fma(p1, b0);
      b1 = v1.fma(p1, b1);
      c0 = v0.fma(p2, c0);
      c1 = v1.fma(p2, c1);
      d0 = v0.fma(p3, d0);
      d1 = v1.fma(p3, d1);
    }
    a0.intoArray(o, c);
    a1.intoArray(o, c + L);
    b0.intoArray(o, d + c);
    b1.intoArray(o, d + c + L);
    c0.intoArray(o, 2 * d + c);
    c1.intoArray(o, 2 * d + c + L);
    d0.intoArray(o, 3 * d + c);
    d1.intoArray(o, 3 * d + c + L);
  }
}
