package dev.conveyor.cli;

import org.slf4j.LoggerFactory;

/** Changes log levels at run time (the CLI's logback.xml sets WARN; the worker wants INFO, --verbose DEBUG). */
final class Logging {
    private Logging() {}

    /** Sets a logger's level; null makes it inherit its parent's again. */
    static void level(String loggerName, String level) {
        if (LoggerFactory.getLogger(loggerName) instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(level == null ? null : ch.qos.logback.classic.Level.toLevel(level));
        }
    }

    /** The configured level of a logger, or null when it inherits (or Logback is not the backend). */
    static String levelOf(String loggerName) {
        if (LoggerFactory.getLogger(loggerName) instanceof ch.qos.logback.classic.Logger logger
                && logger.getLevel() != null) {
            return logger.getLevel().toString();
        }
        return null;
    }
}
