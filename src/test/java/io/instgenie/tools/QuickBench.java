package io.instgenie.tools;

import io.instgenie.kernels.backend.CpuBackend;
import io.instgenie.kernels.bench.EngineBench;
import io.instgenie.kernels.dit.DitForward;
import io.instgenie.kernels.dit.DitModel;
import io.instgenie.kernels.model.Presets;

public class QuickBench {
  public static void main(String[] a) {
    DitModel m = DitModel.random(Presets.bench(), 0);
    var r = new EngineBench(new DitForward(m, new CpuBackend()), Integer.parseInt(a[0])).run(new int[] {1, 8});
    System.out.println(r);
  }
}
