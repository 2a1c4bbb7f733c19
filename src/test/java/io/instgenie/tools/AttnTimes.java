package io.instgenie.tools;

import static org.bytedeco.openblas.global.openblas_nolapack.*;
import io.instgenie.kernels.tensor.FloatBuf;

public class AttnTimes {
  public static void main(String[] a) throws Exception {
    int n = 1032, d = 64, ld = 768;
    FloatBuf qkv = FloatBuf.allocate(n * ld), p = FloatBuf.allocate(n * n), o = FloatBuf.allocate(n * 256);
    for (int i = 0; i < qkv.size(); i++) qkv.set(i, (float) Math.sin(i));
    Runnable qk = () -> cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, d, 0.125f, qkv.pointer(0), ld, qkv.pointer(256), ld, 0f, p.pointer(0), n);
    Runnable pv = () -> cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, d, n, 1f, p.pointer(0), n, qkv.pointer(512), ld, 0f, o.pointer(0), 256);
    System.out.printf("qk %.2f ms pv %.2f ms%n", OpTimes.time(qk, 20), OpTimes.time(pv, 20));
    var m = io.instgenie.kernels.backend.CpuBackend.class.getDeclaredMethod("softmaxRows", FloatBuf.class, int.class, int.class, float[].class);
    m.setAccessible(true);
    float[] inv = new float[n];
    System.out.printf("softmax %.2f ms%n", OpTimes.time(() -> { try { m.invoke(null, p, n, n, inv);} catch (Exception e) { throw new RuntimeException(e);} }, 20));
    
  }
}
