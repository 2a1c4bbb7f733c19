package io.instgenie.cli;

import picocli.CommandLine.Command;

/** {@code instgenie bench ...}: benchmarks that print a table, or JSON with {@code --json}. */
@Command(
    name = "bench",
    description = "Benchmarks (a table, or --json).",
    subcommands = {
      BenchEngineCommand.class,
      BenchServeCommand.class,
      BenchCacheCommand.class,
      BenchQualityCommand.class,
      BenchE2eCommand.class,
      BenchLossCommand.class,
      BenchExampleCommand.class,
      BenchDrawingCommand.class
    })
final class BenchCommand {}
