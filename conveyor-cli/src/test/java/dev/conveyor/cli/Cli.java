package dev.conveyor.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/** Runs the conveyor command in this JVM and captures what it prints. */
final class Cli {
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private Cli() {}

    static Result run(String... args) {
        return run(CommandLine.defaultFactory(), args);
    }

    static Result run(IFactory factory, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(factory);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A fresh SQLite broker URL in {@code dir}. */
    static String sqlite(Path dir) {
        return "sqlite:" + dir.resolve("conveyor.db");
    }
}
