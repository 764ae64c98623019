package dev.conveyor.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedFrame;

/**
 * Flame graphs as self-contained SVG files, drawn from a JFR recording ({@code bench/run --jfr} writes one next to
 * its recording) or from {@code perf script} output (a native process such as redis-server). Each box is a frame,
 * as wide as the share of samples with that frame on the stack at that depth; the bottom row is "all", the row
 * above it the thread (JFR: the thread's name with its digits as {@code *}; perf: the command), callers below
 * their callees. Hovering a box
 * shows its full name, sample count and share. No JavaScript, so the file also renders as an image.
 *
 * <pre>
 * bench/run --jfr throughput --broker redis           # ... JFR recording: X.jfr, flame graph: X.svg
 * bench/run --jfr-top X.jfr --flame docs/profiles/redis-e2e.svg --flame-title "Redis end to end"
 * perf record -F 999 -g -p "$(pidof redis-server)" -- sleep 10 && perf script > redis.perf
 * bench/run --perf-script redis.perf --flame docs/profiles/redis-server.svg
 * </pre>
 */
final class FlameGraph {
    private FlameGraph() {}

    /** A frame at one place in the call tree: its samples (inclusive) and its callees by name. */
    static final class Node {
        final String name;
        long samples;
        /** At the root: samples left out because their thread was waiting, not running (JFR). */
        long waiting;
        final TreeMap<String, Node> children = new TreeMap<>(); // sorted by name, as flame graphs are

        Node(String name) {
            this.name = name;
        }

        /** Adds one stack, root first (its first element is the bottom box above the root), with its weight. */
        void add(List<String> rootFirst, long weight) {
            samples += weight;
            Node n = this;
            for (String frame : rootFirst) {
                n = n.children.computeIfAbsent(frame, Node::new);
                n.samples += weight;
            }
        }

        int depth() {
            int d = 0;
            for (Node c : children.values()) d = Math.max(d, c.depth() + 1);
            return d;
        }
    }

    /**
     * Native methods in which a thread waits for I/O rather than works: JFR samples a thread inside a native method
     * whether it runs or waits there, and an event loop waiting in epoll would otherwise fill most of the graph.
     * (Parked and sleeping threads are not in native code to JFR, so they never show up as native samples.)
     */
    static final java.util.Set<String> WAITS = java.util.Set.of("sun.nio.ch.EPoll.wait", "sun.nio.ch.Net.poll",
            "io.netty.channel.epoll.Native.epollWait", "io.netty.channel.epoll.Native.epollWait0",
            "io.netty.channel.epoll.Native.epollBusyWait0");

    /**
     * Stacks of the recording's execution samples (Java code) and native-method samples, by thread group; samples
     * whose top frame is one of {@link #WAITS} are counted in {@link Node#waiting}, not drawn.
     */
    static Node fromJfr(Path file) throws IOException {
        Node root = new Node("all");
        for (JfrTop.Sample sample : JfrTop.samples(file)) {
            List<RecordedFrame> frames = sample.frames(); // top first
            // An execution sample can also catch a thread on its way into or out of the wait (top frame the wait
            // method, state still "in Java"): that is waiting too, not work.
            if (WAITS.contains(JfrTop.name(frames.get(0)))) {
                root.waiting++; // a thread waiting in the OS is not using the CPU
                continue;
            }
            List<String> stack = new ArrayList<>(frames.size() + 2);
            stack.add(sample.thread());
            for (int i = frames.size() - 1; i >= 0; i--) stack.add(JfrTop.name(frames.get(i)));
            if (sample.nativeMethod()) stack.add("[in native code]");
            root.add(stack, 1);
        }
        return root;
    }

    /**
     * Stacks of {@code perf script} output: one block per sample, a header line (command, pid, time, event) then
     * one line per frame, innermost first ({@code address symbol+offset (object)}), blocks separated by a blank
     * line. Unresolved symbols ({@code [unknown]}) keep the object's name. Lines of another shape ({@code #}
     * header comments, warnings) and samples without frames are skipped.
     */
    static Node fromPerfScript(List<String> lines) {
        Node root = new Node("all");
        String command = null;
        List<String> frames = new ArrayList<>(); // innermost first
        for (String line : lines) {
            if (line.isBlank() || !Character.isWhitespace(line.charAt(0))) {
                addPerfSample(root, command, frames);
                frames.clear();
                java.util.regex.Matcher head = line.isBlank() || line.startsWith("#") ? null : PERF_HEADER.matcher(line);
                command = head != null && head.lookingAt() ? head.group(1) : null;
            } else if (command != null) {
                frames.add(perfFrame(line.strip()));
            }
        }
        addPerfSample(root, command, frames);
        return root;
    }

    /** A sample's header: the command (may hold spaces), pid[/tid], optional [cpu], then the time and a colon. */
    private static final java.util.regex.Pattern PERF_HEADER =
            java.util.regex.Pattern.compile("\\s*(.+?)\\s+\\d+(?:/\\d+)?\\s+(?:\\[\\d+\\]\\s+)?\\d+\\.\\d+:");

    private static void addPerfSample(Node root, String command, List<String> innermostFirst) {
        if (command == null || innermostFirst.isEmpty()) return;
        List<String> stack = new ArrayList<>(innermostFirst.size() + 1);
        stack.add(command);
        for (int i = innermostFirst.size() - 1; i >= 0; i--) stack.add(innermostFirst.get(i));
        root.add(stack, 1);
    }

    /** "55d0c1 zaddGenericCommand+0x1f2 (/usr/bin/redis-server)" gives "zaddGenericCommand". */
    static String perfFrame(String line) {
        int space = line.indexOf(' ');
        String rest = space < 0 ? line : line.substring(space + 1).strip();
        String object = "";
        int paren = rest.lastIndexOf(" (");
        if (paren >= 0 && rest.endsWith(")")) {
            object = rest.substring(paren + 2, rest.length() - 1);
            rest = rest.substring(0, paren).strip();
        }
        int plus = rest.lastIndexOf("+0x");
        if (plus > 0) rest = rest.substring(0, plus);
        if (rest.isEmpty() || rest.equals("[unknown]")) {
            String file = object.substring(object.lastIndexOf('/') + 1);
            if (file.isEmpty()) return "[unknown]";
            return file.startsWith("[") ? file : "[" + file + "]"; // [kernel.kallsyms] is bracketed already
        }
        return rest;
    }

    private static final int WIDTH = 1200;
    private static final int ROW = 16;
    private static final int TOP = 44;
    private static final double MIN_WIDTH = 1.0; // px (0.08 % of the samples): narrower boxes and their callees are not drawn

    /** The graph as an SVG document: title, a line under it (what was sampled, how many samples), the boxes. */
    static String svg(Node root, String title, String subtitle) {
        int depth = root.depth();
        int height = TOP + (depth + 1) * ROW + 8;
        StringBuilder s = new StringBuilder(1 << 16);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"Verdana, sans-serif\" font-size=\"11\">\n", WIDTH, height, WIDTH, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#fdfdf6\"/>\n", WIDTH, height));
        s.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"18\" text-anchor=\"middle\" font-size=\"15\">%s</text>\n", WIDTH / 2, escape(title)));
        s.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"34\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n", WIDTH / 2, escape(subtitle)));
        if (root.samples > 0) {
            double scale = (WIDTH - 20) / (double) root.samples;
            draw(s, root, 10, height - 8 - ROW, scale, root.samples);
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void draw(StringBuilder s, Node n, double x, int y, double scale, long total) {
        double w = n.samples * scale;
        if (w < MIN_WIDTH) return;
        String tip = String.format(Locale.ROOT, "%s (%,d samples, %.2f%%)", n.name, n.samples, 100.0 * n.samples / total);
        s.append("<g><title>").append(escape(tip)).append("</title>");
        s.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\"/>",
                x, y, w, ROW - 1, color(n.name)));
        String label = fit(shortName(n.name), w);
        if (!label.isEmpty()) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>", x + 3, y + ROW - 4, escape(label)));
        }
        s.append("</g>\n");
        double cx = x;
        for (Node c : n.children.values()) {
            draw(s, c, cx, y - ROW, scale, total);
            cx += c.samples * scale;
        }
    }

    /**
     * A Java frame's label without its package: "dev.conveyor.worker.Processor.run" shows as "Processor.run" (from
     * the dotted part nearest the method that starts with a capital: a type's name). Anything else is shown whole: C functions
     * with dots ("do_softirq.part.0"), objects ("[libc.so.6]"). The box's tooltip has the full name either way.
     */
    static String shortName(String name) {
        if (name.startsWith("[")) return name;
        int method = name.lastIndexOf('.');
        if (method <= 0) return name;
        int start = -1;
        for (int dot = name.lastIndexOf('.', method - 1) + 1; ; dot = name.lastIndexOf('.', dot - 2) + 1) {
            if (Character.isUpperCase(name.charAt(dot))) {
                start = dot; // the nearest type name to the method
                break;
            }
            if (dot == 0) break;
        }
        return start < 0 ? name : name.substring(start);
    }

    private static String fit(String label, double width) {
        int chars = (int) ((width - 6) / 6.5); // ~6.5 px a character at 11 px Verdana
        if (chars < 3) return "";
        if (label.codePointCount(0, label.length()) <= chars) return label;
        return label.substring(0, label.offsetByCodePoints(0, chars - 2)) + ".."; // never half a surrogate pair
    }

    /** Warm colours by kind of code, stable for a name: Conveyor, JDK, libraries, native/kernel, threads. */
    static String color(String name) {
        int h = Math.floorMod(name.hashCode(), 40);
        if (name.startsWith("[")) return rgb(160 + h, 160 + h, 160 + h); // unresolved / native: grey
        if (name.startsWith("dev.conveyor.")) return rgb(60 + h, 150 + h, 210); // blue: our code
        if (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")) return rgb(235, 120 + h * 2, 40);
        if (name.contains(".")) return rgb(210, 180 + h, 50); // libraries: Lettuce, Netty, JDBC drivers, Jackson
        return rgb(225, 80 + h, 60 + h); // C functions, thread groups
    }

    private static String rgb(int r, int g, int b) {
        return String.format(Locale.ROOT, "rgb(%d,%d,%d)", Math.min(r, 255), Math.min(g, 255), Math.min(b, 255));
    }

    /** Text as XML character data: markup escaped; characters XML does not allow (control characters, unpaired
     * surrogates, U+FFFE and U+FFFF) dropped, so a thread's or a frame's name can never break the file. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    boolean allowed = c == '\t' || (c >= 0x20 && c < 0xD800) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
                    if (allowed) b.appendCodePoint(c); // (an unpaired surrogate arrives here as itself, < 0xE000)
                }
            }
        }
        return b.toString();
    }

    /** Writes root's graph to out (its directory created) and says where. */
    static void write(Node root, String title, String source, Path out) throws IOException {
        String subtitle = String.format(Locale.ROOT, "%s: %,d samples%s; width = share of samples, callers below callees",
                source, root.samples, root.waiting == 0 ? ""
                        : String.format(Locale.ROOT, " (%,d more of threads waiting in epoll left out)", root.waiting));
        Path dir = out.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Files.writeString(out, svg(root, title, subtitle), StandardCharsets.UTF_8);
        System.out.printf("flame graph: %s (%,d samples)%n", out, root.samples);
    }
}
