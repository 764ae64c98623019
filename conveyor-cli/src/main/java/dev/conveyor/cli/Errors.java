package dev.conveyor.cli;

import dev.conveyor.broker.BrokerException;
import dev.conveyor.broker.Brokers;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How errors reach the user: one line on stderr ({@code error: …}), a usage hint for wrong arguments (exit 2),
 * exit 1 for failures, and a stack trace only with {@code --verbose}.
 */
final class Errors implements IParameterExceptionHandler, IExecutionExceptionHandler {

    /** Wrong arguments found by picocli while parsing (unknown option, missing parameter, bad value). */
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String msg = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            msg += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
        }
        usage(cmd, msg);
        return ExitCodes.USAGE;
    }

    /** An exception thrown by a command while running. */
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        BrokerCommand bc = cmd.getCommand() instanceof BrokerCommand b ? b : null;
        boolean verbose = bc != null && bc.verbose();
        int code;
        if (ex instanceof CliException c) {
            code = c.exitCode();
            if (code == ExitCodes.USAGE) {
                usage(cmd, c.getMessage());
            } else {
                err.println("error: " + c.getMessage());
            }
        } else if (ex instanceof ParameterException p) {
            return handleParseException(p, parseResult.originalArgs().toArray(String[]::new));
        } else {
            code = ExitCodes.FAILURE;
            String msg = message(ex);
            if (bc != null && ex instanceof BrokerException) {
                String url = Brokers.redact(bc.brokerUrl());
                if (msg.startsWith(url + ": ")) msg = msg.substring(url.length() + 2);
                msg = "broker " + url + ": " + msg;
            }
            err.println("error: " + msg);
            if (!verbose) err.println("(run again with --verbose for the stack trace)");
        }
        if (verbose) ex.printStackTrace(err);
        err.flush();
        return code;
    }

    private static void usage(CommandLine cmd, String msg) {
        PrintWriter err = cmd.getErr();
        err.println("error: " + msg);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
    }

    /** An exception's message on one line, falling back to its type when it has none. */
    static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getCause() != null && t.getCause() != t ? message(t.getCause()) : t.getClass().getSimpleName();
        }
        return oneLine(m);
    }

    /** Text on one line: line breaks and the blanks around them become one space. */
    static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
