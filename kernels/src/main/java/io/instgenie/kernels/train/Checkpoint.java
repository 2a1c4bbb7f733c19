package io.instgenie.kernels.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.instgenie.kernels.io.DType;
import io.instgenie.kernels.io.ModelFormatException;
import io.instgenie.kernels.io.SafeTensors;
import io.instgenie.kernels.io.TensorData;
import io.instgenie.kernels.model.ModelConfig;
import io.instgenie.kernels.model.ModelFiles;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a run needs to resume, in one safetensors file written atomically: weights, EMA and
 * both Adam moments (F32, prefixed {@code w/}, {@code ema/}, {@code m/}, {@code v/}), and in the
 * metadata the step reached, the thread count, both configurations as JSON, and the run's history
 * (the wall time spent so far and every command that trained it; empty in older checkpoints).
 */
record Checkpoint(
    int step,
    int threads,
    ModelConfig model,
    TrainConfig train,
    Params w,
    Params ema,
    Params m,
    Params v,
    RunHistory history) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] GROUPS = {"w/", "ema/", "m/", "v/"};

  void write(Path file) {
    Map<String, TensorData> all = new LinkedHashMap<>();
    Params[] sets = {w, ema, m, v};
    for (int s = 0; s < sets.length; s++) {
      for (Map.Entry<String, TensorData> e : sets[s].toTensors().entrySet()) {
        all.put(GROUPS[s] + e.getKey(), e.getValue());
      }
    }
    Map<String, String> meta = new HashMap<>();
    meta.put("step", Integer.toString(step));
    meta.put("threads", Integer.toString(threads));
    meta.put("model", ModelFiles.toJson(model));
    meta.put("train", ModelFiles.toJson(train));
    meta.put("history", ModelFiles.toJson(history));
    SafeTensors.write(file, all, DType.F32, meta);
  }

  /** The run settings a checkpoint was made with, from its metadata alone. */
  static TrainConfig trainConfig(Path file) {
    Map<String, String> meta = SafeTensors.readMetadata(file);
    if (meta == null || !meta.containsKey("train")) {
      throw new ModelFormatException(file + " is not a training checkpoint (no settings)");
    }
    try {
      return JSON.readValue(meta.get("train"), TrainConfig.class);
    } catch (JsonProcessingException e) {
      throw new ModelFormatException("checkpoint " + file + " is damaged: " + e.getMessage());
    }
  }

  static Checkpoint read(Path file) {
    Map<String, String> meta = SafeTensors.readMetadata(file);
    if (meta == null || !meta.containsKey("step") || !meta.containsKey("train")) {
      throw new ModelFormatException(file + " is not a training checkpoint (no step in metadata)");
    }
    try {
      ModelConfig model = JSON.readValue(meta.get("model"), ModelConfig.class);
      TrainConfig train = JSON.readValue(meta.get("train"), TrainConfig.class);
      Map<String, TensorData> all = SafeTensors.read(file);
      Params[] sets = new Params[GROUPS.length];
      for (int s = 0; s < GROUPS.length; s++) {
        Map<String, TensorData> part = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : all.entrySet()) {
          if (e.getKey().startsWith(GROUPS[s])) {
            part.put(e.getKey().substring(GROUPS[s].length()), e.getValue());
          }
        }
        sets[s] = Params.of(model, part);
      }
      int threads = Integer.parseInt(meta.getOrDefault("threads", "0")); // 0: not recorded
      RunHistory history =
          meta.containsKey("history")
              ? JSON.readValue(meta.get("history"), RunHistory.class)
              : RunHistory.EMPTY;
      return new Checkpoint(
          Integer.parseInt(meta.get("step")),
          threads,
          model,
          train,
          sets[0],
          sets[1],
          sets[2],
          sets[3],
          history);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new ModelFormatException("checkpoint " + file + " is damaged: " + e.getMessage());
    }
  }
}
