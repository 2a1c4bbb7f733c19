package io.instgenie.verticles.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.io.OutputStream;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Points every log line (SLF4J, {@code System.Logger}, and java.util.logging through the bridge) at
 * one appender on stderr in the chosen {@link LogFormat}. Replaces logback.xml's set-up.
 */
public final class LogSetup {
  /** The text form, also logback.xml's: time, level, logger, [edit id], message. */
  static final String TEXT_PATTERN =
      "%d{HH:mm:ss} %level %logger%replace( [edit %X{edit_id}]){' \\[edit \\]', ''}: %msg%n";

  private LogSetup() {}

  /** Applies the format to the process's logging, writing to stderr. */
  public static void apply(LogFormat format) {
    apply(format, null);
  }

  /**
   * As above, writing to {@code out} when given (tests read the lines back), else to stderr. JUL
   * (Hazelcast's logging) is bridged into SLF4J.
   */
  public static void apply(LogFormat format, OutputStream out) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    LevelChangePropagator jul = new LevelChangePropagator();
    jul.setContext(ctx);
    jul.setResetJUL(true);
    jul.start();
    ctx.addListener(jul);
    OutputStreamAppender<ILoggingEvent> appender;
    if (out == null) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setTarget("System.err");
      appender = console;
    } else {
      appender = new OutputStreamAppender<>();
      appender.setOutputStream(out);
    }
    appender.setContext(ctx);
    appender.setName(format.name());
    appender.setEncoder(encoder(format, ctx));
    appender.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(appender);
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  private static Encoder<ILoggingEvent> encoder(LogFormat format, LoggerContext ctx) {
    if (format == LogFormat.JSON) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(ctx);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(ctx);
    text.setPattern(TEXT_PATTERN);
    text.start();
    return text;
  }
}
