package io.instgenie.tools;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.tensor.FloatBuf;

public class OpTimes {
  static double time(Runnable r, int reps) {
    for (int i = 0; i < 60; i++) r.run();
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) r.run();
    return (System.nanoTime() - t0) / 1e6 / reps;
  }
  public static void main(String[] a) {
    CpuBackend be = new CpuBackend();
    int n = 1032, h = 256;
    FloatBuf x = FloatBuf.allocate(n * 4 * h), y = FloatBuf.allocate(n * 4 * h), w = FloatBuf.allocate(4 * h * h), b = FloatBuf.allocate(4*h);
    FloatBuf qkv = FloatBuf.allocate(n * 3 * h);
    for (int i = 0; i < qkv.size(); i++) qkv.set(i, (float) Math.sin(i));
    FloatBuf mod = FloatBuf.allocate(6*h);
    double qkvT = time(() -> be.linear(y, 0, 3*h, x, 0, h, w, 0, b, 0, n, 3*h, h, false), 20);
    double projT = time(() -> be.linear(y, 0, h, x, 0, h, w, 0, b, 0, n, h, h, false), 20);
    double fc1T = time(() -> be.linear(y, 0, 4*h, x, 0, h, w, 0, b, 0, n, 4*h, h, false), 20);
    double fc2T = time(() -> be.linear(y, 0, h, x, 0, 4*h, w, 0, b, 0, n, h, 4*h, false), 20);
    double attT = time(() -> be.attention(y, 0, h, qkv, 3*h, 0, n, 0, n, 0, 0, 4, 64), 10);
    double geluT = time(() -> be.geluTanh(x, 0, n * 4L * h), 20);
    double lnT = time(() -> be.layerNormModulate(y, 0, x, 0, n, h, mod, 0, h, 1e-6f), 20);
    double gateT = time(() -> be.gatedAdd(y, 0, x, 0, mod, 0, n, h), 20);
    double gf = 2.0*n*h*h*12 / 1e6;
    System.out.printf("qkv %.2f proj %.2f fc1 %.2f fc2 %.2f -> linear GF/s %.1f%n", qkvT, projT, fc1T, fc2T, gf/(qkvT+projT+fc1T+fc2T));
    System.out.printf("attention %.2f ms (%.1f GF/s) gelu %.2f ln %.2f gate %.2f%n", attT, 4.0*n*n*h/1e6/attT, geluT, lnT, gateT);
  }
}
