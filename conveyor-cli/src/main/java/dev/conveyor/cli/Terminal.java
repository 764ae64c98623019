package dev.conveyor.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether the CLI talks to a person at a terminal (prompts, live views) or to a script, a pipe or CI. */
final class Terminal {
    private Terminal() {}

    /** The console when stdin and stdout are a terminal, else null. */
    static Console console() {
        Console c = System.console();
        if (c == null) return null;
        // JDK 22+ may return a console for redirected streams; it says so with isTerminal() (not in --release 21).
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return Boolean.TRUE.equals(isTerminal.invoke(c)) ? c : null;
        } catch (ReflectiveOperationException e) {
            return c;
        }
    }

    /** True for an interactive terminal that understands ANSI escapes, outside CI. */
    static boolean isInteractive() {
        if (console() == null) return false;
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) return false;
        String term = System.getenv("TERM");
        return term == null || !term.equals("dumb");
    }
}
