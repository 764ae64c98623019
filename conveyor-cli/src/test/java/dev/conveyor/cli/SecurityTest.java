package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * SECURITY.md's promises that need the whole repository or the command: no Java deserialization anywhere in
 * Conveyor's code (sources and compiled classes), classes loaded by name only where an operator names them,
 * the worker command's reject-all deserialization filter, and broker passwords never printed.
 */
class SecurityTest {
    /** The repository root (tests run in conveyor-cli/). */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /**
     * Where a class is loaded by a name: the operator's --app class; by a constant, the JDK's signal classes and
     * (in the benchmark tool) the SQLite connection class it samples.
     */
    private static final Set<String> LOADS_BY_NAME = Set.of("conveyor-cli/src/main/java/dev/conveyor/cli/AppLoader.java",
            "conveyor-cli/src/main/java/dev/conveyor/cli/Signals.java",
            "bench/src/main/java/dev/conveyor/bench/WriteLockSampler.java");

    private static List<Path> files(String suffix, String under) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path m : modules.filter(Files::isDirectory).toList()) {
                Path dir = m.resolve(under);
                if (!Files.isDirectory(dir)) continue;
                try (Stream<Path> walk = Files.walk(dir)) {
                    walk.filter(p -> p.toString().endsWith(suffix)).forEach(out::add);
                }
            }
        }
        return out;
    }

    @Test
    void noMainSourceOrClassDeserializesJavaObjects() throws IOException {
        List<Path> sources = files(".java", "src/main/java");
        assertThat(sources).as("main sources found under " + ROOT).hasSizeGreaterThan(100);
        List<String> found = new ArrayList<>();
        for (Path p : sources) {
            String s = Files.readString(p);
            if (s.contains("ObjectInputStream") || s.contains("readObject(") || s.contains("XMLDecoder")) found.add(ROOT.relativize(p).toString());
        }
        List<Path> classes = files(".class", "target/classes");
        assertThat(classes).as("compiled classes (the build compiles every module before the CLI's tests)").isNotEmpty();
        for (Path p : classes) {
            // A class that uses ObjectInputStream names it in its constant pool
            String bytes = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            if (bytes.contains("java/io/ObjectInputStream") || bytes.contains("java/beans/XMLDecoder")) found.add(ROOT.relativize(p).toString());
        }
        assertThat(found).as("Conveyor reads JSON only; these deserialize Java objects").isEmpty();
    }

    @Test
    void classesAreLoadedByNameOnlyWhereTheOperatorNamesThem() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path p : files(".java", "src/main/java")) {
            String s = Files.readString(p);
            String rel = ROOT.relativize(p).toString();
            if ((s.contains("Class.forName(") || s.contains(".loadClass(") || s.contains("enableDefaultTyping")
                    || s.contains("activateDefaultTyping")) && !LOADS_BY_NAME.contains(rel)) {
                found.add(rel);
            }
        }
        assertThat(found).as("handlers come from the task registry, args are the task's declared type: "
                + "no class is named by message data").isEmpty();
    }

    @Test
    void onlyTheWorkerCommandSetsTheJvmWideFilter() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path p : files(".java", "src/main/java")) {
            if (Files.readString(p).contains("setSerialFilter")) found.add(ROOT.relativize(p).toString());
        }
        assertThat(found).containsExactly("conveyor-cli/src/main/java/dev/conveyor/cli/SerialFilter.java");
    }

    @Test
    void theWorkerCommandRejectsEveryJavaDeserializationInItsJvm() throws Exception {
        Cli.Result r = Cli.run("worker", "--app", TestApp.class.getName(), "--broker", "nosuch:x");
        assertThat(r.exitCode()).isEqualTo(1);
        ObjectInputFilter filter = ObjectInputFilter.Config.getSerialFilter();
        assertThat(filter).as("set by the worker command").isNotNull();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(List.of("x")));
        }
        assertThatThrownBy(() -> {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                in.readObject();
            }
        }).isInstanceOf(InvalidClassException.class).hasMessageContaining("REJECTED");
    }

    @Test
    void brokerPasswordsAreNeverPrintedNorLogged() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        List<String> seen = new ArrayList<>();
        try {
            for (String url : List.of("postgresql://app:Hunter2s3cret@127.0.0.1:1/test",
                    "postgresql://app:Hunter2s3cret@x@127.0.0.1:1/test?schema=s",
                    "mariadb://root:Hunter2s3cret@127.0.0.1:1/test", "redis://:Hunter2s3cret@127.0.0.1:1/0",
                    "redis://127.0.0.1:1/0?password=Hunter2s3cret")) {
                for (String[] args : List.of(new String[] {"queues", "--broker", url},
                        new String[] {"worker", "--app", TestApp.class.getName(), "--broker", url},
                        new String[] {"-v", "jobs", "list", "--broker", url})) {
                    Cli.Result r = Cli.run(args);
                    assertThat(r.exitCode()).as(r.toString()).isNotZero();
                    seen.add(r.out() + r.err());
                }
            }
        } finally {
            root.detachAppender(logs);
        }
        for (ILoggingEvent e : logs.list) {
            seen.add(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) seen.add(t.getMessage());
        }
        assertThat(String.join("\n", seen.stream().map(String::valueOf).toList()))
                .contains("***").doesNotContain("Hunter2s3cret").doesNotContain("s3cret");
    }
}
