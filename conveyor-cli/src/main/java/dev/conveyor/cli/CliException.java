package dev.conveyor.cli;

/**
 * Ends a command with a one-line message on stderr and an exit code, without a stack trace (unless
 * {@code --verbose}). {@link #usage} is for wrong arguments found after parsing (exit 2).
 */
final class CliException extends RuntimeException {
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Wrong arguments: exit 2 with a usage hint. */
    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }

    /** Something failed at run time: exit 1. */
    static CliException failure(String message) {
        return new CliException(ExitCodes.FAILURE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
