package dev.conveyor.cli;

import dev.conveyor.ConveyorApp;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Loads the {@link ConveyorApp} that {@code conveyor worker --app CLASS [--classpath PATH]} names: from the
 * jars and directories of PATH (entries separated by {@code File.pathSeparator}; {@code dir/*} means every
 * jar in dir), else from the CLI's own classpath. Every problem is a one-line {@link CliException}.
 */
final class AppLoader {
    /** The app and the class loader it came from (the worker's context class loader while it runs). */
    record Loaded(ConveyorApp app, ClassLoader loader) {}

    private AppLoader() {}

    static Loaded load(String className, String classpath, ClassLoader parent) {
        List<Path> entries = entries(classpath);
        ClassLoader loader = entries.isEmpty() ? parent : new URLClassLoader("conveyor-app", urls(entries), parent);
        String searched = entries.isEmpty() ? "the conveyor CLI's own classpath (give the app's jar with --classpath)"
                : "--classpath " + String.join(File.pathSeparator, entries.stream().map(Path::toString).toList())
                        + " and the conveyor CLI's own classpath";
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw CliException.usage("class " + className + " not found; searched " + searched);
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CliException(ExitCodes.FAILURE, "class " + className + " failed to initialize: "
                    + cause.getClass().getName() + ": " + Errors.message(cause), cause);
        } catch (LinkageError e) {
            throw new CliException(ExitCodes.FAILURE, "class " + className + " cannot be loaded: "
                    + e.getClass().getName() + ": " + Errors.message(e), e);
        }
        if (!ConveyorApp.class.isAssignableFrom(type)) {
            boolean foreignCopy = Arrays.stream(type.getInterfaces())
                    .anyMatch(i -> i.getName().equals(ConveyorApp.class.getName()));
            throw CliException.usage("class " + className + " is not a " + ConveyorApp.class.getName()
                    + (foreignCopy ? " of this CLI: --classpath brings its own copy of conveyor-core; leave it out"
                            : "; implement it: public void configure(Conveyor.Builder b) { b.task(...); }"));
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw CliException.usage("class " + className + " is abstract; give a concrete ConveyorApp class");
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw CliException.usage("class " + className + " has no public no-argument constructor; add one");
        }
        try {
            return new Loaded((ConveyorApp) constructor.newInstance(), loader);
        } catch (IllegalAccessException e) {
            throw CliException.usage("class " + className
                    + " is not public (or not in an exported package); make it public");
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new CliException(ExitCodes.FAILURE, "the constructor of " + className + " threw "
                    + cause.getClass().getName() + ": " + Errors.message(cause), cause);
        } catch (InstantiationException e) {
            throw CliException.usage("class " + className + " cannot be instantiated: " + Errors.message(e));
        }
    }

    /** The classpath entries; a missing file or directory is a wrong argument. */
    static List<Path> entries(String classpath) {
        List<Path> out = new ArrayList<>();
        if (classpath == null || classpath.isBlank()) return out;
        for (String part : classpath.split(File.pathSeparator)) {
            if (part.isBlank()) continue;
            if (part.endsWith("/*") || part.endsWith(File.separator + "*")) {
                Path dir = Path.of(part.substring(0, part.length() - 2));
                if (!Files.isDirectory(dir)) {
                    throw CliException.usage("--classpath entry '" + part + "': no directory " + dir);
                }
                try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
                    jars.forEach(out::add);
                } catch (IOException e) {
                    throw CliException.usage("--classpath entry '" + part + "': " + Errors.message(e));
                }
                continue;
            }
            Path p = Path.of(part);
            if (!Files.exists(p)) throw CliException.usage("--classpath entry '" + part + "' does not exist");
            out.add(p);
        }
        return out;
    }

    private static URL[] urls(List<Path> entries) {
        URL[] urls = new URL[entries.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = entries.get(i).toAbsolutePath().toUri().toURL();
            } catch (MalformedURLException e) {
                throw CliException.usage("--classpath entry '" + entries.get(i) + "': " + Errors.message(e));
            }
        }
        return urls;
    }
}
