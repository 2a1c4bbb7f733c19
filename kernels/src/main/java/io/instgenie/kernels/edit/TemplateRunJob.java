package io.instgenie.kernels.edit;

import io.instgenie.kernels.dit.Sequence;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.Prompts;
import java.util.List;

/**
 * The template run: at each step k, the full forward on (1−t_k)·T + t_k·ε_T with the null prompt,
 * recording Y_b of every block into the template's activations. No velocity is needed.
 */
public final class TemplateRunJob implements DenoiseJob {
  private final ModelConfig c;
  private final float[] template;
  private final float[] noise;
  private final float[] x;
  private final Activations out;
  private final int steps;
  private int step;

  public TemplateRunJob(
      ModelConfig c, float[] templateTokens, float[] templateNoise, Activations out) {
    this.c = c;
    this.template = templateTokens;
    this.noise = templateNoise;
    this.x = new float[templateTokens.length];
    this.out = out;
    this.steps = out.steps();
  }

  @Override
  public int steps() {
    return steps;
  }

  @Override
  public int step() {
    return step;
  }

  @Override
  public int activeTokens() {
    return c.imageTokens();
  }

  public Activations activations() {
    return out;
  }

  @Override
  public void addSequences(List<Sequence> seqs) {
    float t = Schedule.t(step, steps);
    Schedule.noised(template, noise, t, x);
    seqs.add(Sequence.full(t, Prompts.nullPrompt(c), x, c.imageTokens(), null, out.sink(step)));
  }

  @Override
  public void afterStep() {
    step++;
  }
}
