package io.instgenie.kernels.backend;

import io.instgenie.kernels.tensor.FloatBuf;

/** Plain-Java kernels, written for reading rather than speed: the reference for every backend. */
public final class ReferenceBackend implements Backend {

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public void linear(Rows y, Rows x, Dense w, int m, int n, int k, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        // y = x·wᵀ + b, accumulated in double
        double s = w.bias() == null ? 0 : w.bias().get(w.biasOff() + j);
        for (int c = 0; c < k; c++) {
          s += (double) x.buf().get(x.at(i, c)) * w.weight().get(w.weightOff() + (long) j * k + c);
        }
        long at = y.at(i, j);
        y.buf().set(at, (float) (accumulate ? y.buf().get(at) + s : s));
      }
    }
  }

  @Override
  public void layerNormModulate(Rows y, Rows x, int rows, int h, Modulation mod, float eps) {
    FloatBuf xb = x.buf();
    FloatBuf m = mod.buf();
    for (int r = 0; r < rows; r++) {
      long xr = x.at(r, 0);
      // mean and biased variance over the row
      double mean = 0;
      for (int j = 0; j < h; j++) mean += xb.get(xr + j);
      mean /= h;
      double var = 0;
      for (int j = 0; j < h; j++) {
        double dv = xb.get(xr + j) - mean;
        var += dv * dv;
      }
      var /= h;
      double inv = 1.0 / Math.sqrt(var + eps);
      for (int j = 0; j < h; j++) {
        double normed = (xb.get(xr + j) - mean) * inv;
        double scale = 1 + m.get(mod.scaleOff() + j);
        y.buf().set(y.at(r, j), (float) (normed * scale + m.get(mod.shiftOff() + j)));
      }
    }
  }

  @Override
  public void geluTanh(FloatBuf x, long off, long n) {
    double c = Math.sqrt(2 / Math.PI);
    for (long i = off; i < off + n; i++) {
      double v = x.get(i);
      x.set(i, (float) (0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)))));
    }
  }

  @Override
  public void silu(FloatBuf y, long yOff, FloatBuf x, long xOff, long n) {
    for (long i = 0; i < n; i++) {
      double v = x.get(xOff + i);
      y.set(yOff + i, (float) (v / (1 + Math.exp(-v))));
    }
  }

  @Override
  public void gatedAdd(
      FloatBuf x, long xOff, FloatBuf y, long yOff, FloatBuf gate, long gateOff, int rows, int h) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < h; j++) {
        long at = xOff + (long) r * h + j;
        x.set(at, x.get(at) + gate.get(gateOff + j) * y.get(yOff + (long) r * h + j));
      }
    }
  }

  @Override
  public void attention(Rows out, Rows qkv, Span q, Span kv1, Span kv2, int heads, int d) {
    int h = heads * d;
    int nk = kv1.count() + kv2.count();
    FloatBuf b = qkv.buf();
    double scale = 1.0 / Math.sqrt(d);
    double[] p = new double[nk];
    for (int e = 0; e < heads; e++) {
      for (int i = 0; i < q.count(); i++) {
        long qi = qkv.at(q.row(i), (long) e * d);
        // scores s_j = q·k_j/√d, then a max-shifted softmax
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < nk; j++) {
          long kj = qkv.at(Span.rowOfBoth(kv1, kv2, j), h + (long) e * d);
          double s = 0;
          for (int c = 0; c < d; c++) s += (double) b.get(qi + c) * b.get(kj + c);
          p[j] = s * scale;
          max = Math.max(max, p[j]);
        }
        double sum = 0;
        for (int j = 0; j < nk; j++) {
          p[j] = Math.exp(p[j] - max);
          sum += p[j];
        }
        // o_i = Σ_j p_j·v_j / Σ_j p_j
        for (int c = 0; c < d; c++) {
          double o = 0;
          for (int j = 0; j < nk; j++) {
            o += p[j] * b.get(qkv.at(Span.rowOfBoth(kv1, kv2, j), 2L * h + (long) e * d + c));
          }
          out.buf().set(out.at(i, (long) e * d + c), (float) (o / sum));
        }
      }
    }
  }
}
