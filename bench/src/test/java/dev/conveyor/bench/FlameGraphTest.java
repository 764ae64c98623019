package dev.conveyor.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class FlameGraphTest {

    @Test
    void boxesAreAsWideAsTheirSharesAndCallersSitBelowCallees() throws Exception {
        FlameGraph.Node root = new FlameGraph.Node("all");
        root.add(List.of("main", "a.B.run", "a.B.work"), 3);
        root.add(List.of("main", "a.B.run", "a.C.<wait & \"see\">"), 1);
        Document doc = parse(FlameGraph.svg(root, "t <1>", "s"));

        Map<String, double[]> boxes = boxes(doc); // tooltip's name -> x, y, width
        assertEquals(5, boxes.size(), "all, main, run, work, wait: " + boxes.keySet());
        double full = boxes.get("all")[2];
        assertEquals(full, boxes.get("main")[2], 0.11);
        assertEquals(full * 3 / 4, boxes.get("a.B.work")[2], 0.11);
        assertEquals(full / 4, boxes.get("a.C.<wait & \"see\">")[2], 0.11, "escaped and read back whole");
        assertTrue(boxes.get("a.B.run")[1] > boxes.get("a.B.work")[1], "the caller is drawn below its callee");
        assertEquals(boxes.get("a.B.work")[0] + boxes.get("a.B.work")[2], boxes.get("a.C.<wait & \"see\">")[0], 0.11,
                "siblings side by side, in name order");
    }

    @Test
    void perfScriptBlocksBecomeStacksNamedByCommand() {
        List<String> perf = List.of(
                "# ========",
                "# captured on    : Fri Nov 27 06:55:01 2026",
                "Warning: 3 samples lost",
                "redis-server  1234 [000] 99.000001:   1001001 cpu-clock:pppH: ",
                "",
                "redis-server  1234 [000] 100.000001:   1001001 cpu-clock:pppH: ",
                "\t    55d0c1a2 zaddGenericCommand+0x1f2 (/usr/bin/redis-server)",
                "\t    55d0c1b3 luaRedisGenericCommand+0x90 (/usr/bin/redis-server)",
                "\t    7f00aa01 [unknown] (/usr/lib/x86_64-linux-gnu/liblua5.1.so.0)",
                "",
                "redis-server  1234 [001] 100.001002:   1001001 cpu-clock:pppH: ",
                "\t    55d0c1a2 zaddGenericCommand+0x10 (/usr/bin/redis-server)",
                "\t    55d0c1b3 luaRedisGenericCommand+0x90 (/usr/bin/redis-server)",
                "\t    7f00aa01 [unknown] (/usr/lib/x86_64-linux-gnu/liblua5.1.so.0)",
                "",
                "redis-server  1234 [001] 100.002003:   1001001 cpu-clock:pppH: ",
                "\t    ffffffff81000000 [unknown] ([kernel.kallsyms])",
                "",
                "C2 CompilerThre  4321/4330 100.003004:   1001001 cpu-clock:pppH: ",
                "\t    7f0011 Compile::Optimize+0x12 (/usr/lib/jvm/lib/server/libjvm.so)");
        FlameGraph.Node root = FlameGraph.fromPerfScript(perf);
        assertEquals(4, root.samples, "comments, warnings and a header without frames are no samples");
        assertEquals(1, root.children.get("C2 CompilerThre").samples, "a command with a space, a pid/tid");
        FlameGraph.Node command = root.children.get("redis-server");
        assertEquals(3, command.samples);
        FlameGraph.Node lua = command.children.get("[liblua5.1.so.0]");
        assertEquals(2, lua.samples, "outermost frame first, unresolved ones named by their object");
        assertEquals(2, lua.children.get("luaRedisGenericCommand").children.get("zaddGenericCommand").samples);
        assertEquals(1, command.children.get("[kernel.kallsyms]").samples);
    }

    @Test
    void aJfrRecordingsSamplesShowTheMethodThatRan(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("spin.jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(1));
            r.enable("jdk.NativeMethodSample").withPeriod(java.time.Duration.ofMillis(1));
            Thread sleeper = new Thread(() -> { // waits in epoll, as an idle event loop does
                try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
                    selector.select(700);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "sleeper");
            r.start();
            sleeper.start();
            long until = System.nanoTime() + 500_000_000L; // half a second: hundreds of 1 ms samples
            long sink = 0;
            while (System.nanoTime() < until) sink += spin();
            sleeper.join();
            r.stop();
            r.dump(file);
            assertTrue(sink != 42, "keeps the loop");
        }
        FlameGraph.Node root = FlameGraph.fromJfr(file);
        assertTrue(root.samples > 0, "a recording of a thread spinning for 0.5 s has samples");
        String svg = FlameGraph.svg(root, "spin", "test");
        assertTrue(svg.contains("FlameGraphTest.spin"), "the spinning method is in the graph");
        assertTrue(root.waiting > 0, "the thread waiting in epoll is counted as waiting");
        assertFalse(svg.contains("EPoll.wait"), () -> "and not drawn, but found in " + pathsTo(root, "EPoll.wait"));
        parse(svg);
        Path out = dir.resolve("sub/spin.svg");
        FlameGraph.write(root, "spin", "test", out);
        assertFalse(Files.readString(out).isEmpty());
    }

    /** Every root-to-node path whose last name contains {@code part}, for a failure message. */
    private static List<String> pathsTo(FlameGraph.Node node, String part) {
        List<String> found = new java.util.ArrayList<>();
        for (FlameGraph.Node child : node.children.values()) {
            if (child.name.contains(part)) found.add(child.name + " (" + child.samples + ")");
            for (String below : pathsTo(child, part)) found.add(child.name + " > " + below);
        }
        return found;
    }

    private static long spin() {
        long x = 0;
        for (int i = 0; i < 100_000; i++) x += (i * 31L) ^ (x >>> 3);
        return x;
    }

    @Test
    void shortNamesDropAJavaFramesPackageAndNothingElse() {
        assertEquals("Processor.run", FlameGraph.shortName("dev.conveyor.worker.Processor.run"));
        assertEquals("Worker$$Lambda.0x0f3d.run", FlameGraph.shortName("dev.conveyor.worker.Worker$$Lambda.0x0f3d.run"));
        assertEquals("zaddGenericCommand", FlameGraph.shortName("zaddGenericCommand"));
        assertEquals("do_softirq.part.0", FlameGraph.shortName("do_softirq.part.0"));
        assertEquals("[libc.so.6]", FlameGraph.shortName("[libc.so.6]"));
        assertEquals("0x00000000373240a8.accept", FlameGraph.shortName("0x00000000373240a8.accept"));
        assertEquals("[kernel.kallsyms]", FlameGraph.perfFrame("ffffffff81000000 [unknown] ([kernel.kallsyms])"));
        String grey = FlameGraph.color("[libc.so.6]");
        String[] rgb = grey.substring(4, grey.length() - 1).split(",");
        assertTrue(rgb[0].equals(rgb[1]) && rgb[1].equals(rgb[2]), "an unresolved object is grey, not a library: " + grey);
    }

    @Test
    void namesXmlCannotHoldAreDroppedAndTheFileStillParses(@TempDir Path dir) throws Exception {
        String odd = "bad\u0001\uFFFF\uD800 name \uD83D\uDE00 ok";
        FlameGraph.Node root = new FlameGraph.Node("all");
        root.add(List.of("t", odd + ".A.run"), 1);
        root.add(List.of("t", "\uD83D\uDE00".repeat(400)), 1); // a label cut to fit must not split the pair
        Path out = dir.resolve("odd.svg");
        FlameGraph.write(root, odd, "test", out);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.toFile());
        assertTrue(boxes(doc).containsKey("bad name \uD83D\uDE00 ok.A.run"), boxes(doc).keySet().toString());
        assertEquals("a&lt;b", FlameGraph.escape("a<b"));
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, double[]> boxes(Document doc) {
        Map<String, double[]> out = new HashMap<>();
        NodeList groups = doc.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            String tip = g.getElementsByTagName("title").item(0).getTextContent();
            String name = tip.substring(0, tip.lastIndexOf(" ("));
            Element rect = (Element) g.getElementsByTagName("rect").item(0);
            out.put(name, new double[] {Double.parseDouble(rect.getAttribute("x")),
                    Double.parseDouble(rect.getAttribute("y")), Double.parseDouble(rect.getAttribute("width"))});
        }
        return out;
    }
}
