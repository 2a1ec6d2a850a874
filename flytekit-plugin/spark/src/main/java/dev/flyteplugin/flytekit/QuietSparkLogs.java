package dev.flyteplugin.flytekit;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * Spark's logs at WARN for a local session: without this Spark loads its own log4j2 defaults (root
 * INFO) and floods the console of a local run with startup and per-task lines. A log4j2
 * configuration the user provides (log4j2.properties on the class path) is left alone, and so is
 * any cluster driver (the image's conf decides there).
 */
final class QuietSparkLogs {
  private QuietSparkLogs() {}

  static void toWarn() {
    try {
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      if (!(context.getConfiguration() instanceof DefaultConfiguration)) {
        return; // the user's own configuration
      }
      ConfigurationBuilder<BuiltConfiguration> builder =
          ConfigurationBuilderFactory.newConfigurationBuilder();
      builder.setConfigurationName("flyteplugin-local-spark");
      builder.add(
          builder
              .newAppender("stderr", "Console")
              .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
              .add(
                  builder
                      .newLayout("PatternLayout")
                      .addAttribute("pattern", "%d{HH:mm:ss} %level %logger{1}: %msg%n")));
      builder.add(builder.newRootLogger(Level.WARN).add(builder.newAppenderRef("stderr")));
      // Known-noisy at WARN in a local run; not actionable for the task's author.
      builder.add(builder.newLogger("org.apache.hadoop.util.NativeCodeLoader", Level.ERROR));
      builder.add(builder.newLogger("org.apache.spark.util.Utils", Level.ERROR));
      context.reconfigure(builder.build());
    } catch (LinkageError | ClassCastException notLog4jCore) {
      // Spark bound to another slf4j backend: its configuration decides.
    }
  }
}
