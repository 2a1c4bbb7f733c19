package io.instgenie.cli;

import io.instgenie.kernels.edit.EditException;
import io.instgenie.kernels.io.ImageFormatException;
import io.instgenie.kernels.io.ModelFormatException;
import io.instgenie.kernels.io.WriteFailure;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code instgenie} command: one jar, one subcommand per job. */
@Command(
    name = "instgenie",
    mixinStandardHelpOptions = true,
    version = "instgenie 0.1.0",
    description =
        "Mask-guided image editing with a diffusion transformer and cached template activations.",
    subcommands = {
      EditCommand.class,
      ServeCommand.class,
      ForwardCommand.class,
      InitModelCommand.class,
      TrainCommand.class,
      BenchCommand.class,
      MakeExamplesCommand.class,
      MakeWorkloadCommand.class,
      SimulateCommand.class,
      NewKeyCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  /** Exit status for bad input (files, prompts, sizes, options). */
  static final int BAD_INPUT = 2;

  public static void main(String[] args) {
    // java.util.logging (Hazelcast's) goes to SLF4J, whose logback prints every line (logback.xml)
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit status (tests call this). */
  public static int run(String... args) {
    return run(new PrintWriter(System.err, true), args);
  }

  /** Runs a command line with error messages going to {@code err}. */
  public static int run(PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    withHelp(cl);
    return cl.setErr(err)
        .setParameterExceptionHandler(Main::badArguments)
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              cmd.getErr().println("error: " + describe(e));
              return isUserError(e) ? BAD_INPUT : 1;
            })
        .execute(args);
  }

  /**
   * A command line picocli cannot parse: one line saying what is wrong and where the help is,
   * instead of the whole usage text.
   */
  private static int badArguments(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String hint = "";
    if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty())
      hint = "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
    cmd.getErr()
        .println(
            "error: "
                + e.getMessage()
                + hint
                + " (see '"
                + cmd.getCommandSpec().qualifiedName()
                + " --help')");
    return BAD_INPUT;
  }

  /** {@code --help} and {@code --version} on every subcommand, as on the top command. */
  private static void withHelp(CommandLine cl) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.getCommandSpec().mixinStandardHelpOptions(true);
      withHelp(sub);
    }
  }

  private static boolean isUserError(Throwable e) {
    return e instanceof IllegalArgumentException
        || e instanceof ModelFormatException
        || e instanceof ImageFormatException
        || e instanceof UncheckedIOException;
  }

  /** The one line a failed command prints after "error: ". */
  static String describe(Throwable e) {
    if (e instanceof EditException
        || e instanceof ModelFormatException
        || e instanceof ImageFormatException
        || e instanceof IllegalArgumentException
        || e instanceof WriteFailure) {
      return e.getMessage();
    }
    if (e instanceof UncheckedIOException u) return u.getMessage() + ": " + why(u.getCause());
    return e.toString();
  }

  /** A file-system exception's message is often just the path: say what is wrong with it. */
  private static String why(IOException e) {
    if (!(e instanceof FileSystemException f) || f.getReason() != null) return e.getMessage();
    if (e instanceof NoSuchFileException) return f.getFile() + " does not exist";
    if (e instanceof AccessDeniedException) return f.getFile() + ": permission denied";
    if (e instanceof FileAlreadyExistsException) return f.getFile() + " already exists";
    return e.getMessage();
  }
}
