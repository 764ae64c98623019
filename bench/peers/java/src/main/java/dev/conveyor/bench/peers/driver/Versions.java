package dev.conveyor.bench.peers.driver;

/** A library's version, read from the name of the jar a class came from ({@code jobrunr-8.7.0.jar} gives 8.7.0). */
final class Versions {
    private Versions() {}

    static String of(Class<?> c) {
        try {
            String path = c.getProtectionDomain().getCodeSource().getLocation().getPath();
            String file = path.substring(path.lastIndexOf('/') + 1).replaceAll("\\.jar$", "");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("-(\\d[\\w.\\-]*)$").matcher(file);
            return m.find() ? m.group(1) : file;
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
