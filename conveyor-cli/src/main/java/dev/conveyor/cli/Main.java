package dev.conveyor.cli;

import dev.conveyor.internal.Durations;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.TypeConversionException;

/** The {@code conveyor} command's entry point. Exit codes: {@link ExitCodes}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }

    /** The command line with Conveyor's error handling, converters and parsing rules. */
    static CommandLine commandLine() {
        return commandLine(CommandLine.defaultFactory());
    }

    static CommandLine commandLine(IFactory factory) {
        CommandLine cl = new CommandLine(new ConveyorCommand(), factory);
        Errors errors = new Errors();
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionExceptionHandler(errors);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Duration.class, Main::duration);
        return cl;
    }

    /** 30s, 5m, 2h, 1d, 250ms or ISO-8601 (PT30S). */
    static Duration duration(String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
