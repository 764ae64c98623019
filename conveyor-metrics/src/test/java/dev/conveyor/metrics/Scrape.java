package dev.conveyor.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** One scrape of a /metrics endpoint over HTTP, with lookups of samples by name and labels. */
record Scrape(int status, String contentType, String body) {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static Scrape of(URI uri) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Scrape(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sample named exactly {@code name} whose labels include every given pair; empty if there is none. */
    OptionalDouble value(String name, Map<String, String> labels) {
        for (String line : samples()) {
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String sampleName = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            if (!sampleName.equals(name)) continue;
            String labelText = brace >= 0 ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
            boolean all = labels.entrySet().stream()
                    .allMatch(e -> labelText.contains(e.getKey() + "=\"" + e.getValue() + "\""));
            if (all) return OptionalDouble.of(Double.parseDouble(line.substring(space + 1)));
        }
        return OptionalDouble.empty();
    }

    /** {@link #value}, failing when the sample is missing. */
    double require(String name, Map<String, String> labels) {
        return value(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + labels + " in:\n" + body));
    }

    boolean has(String name) {
        return samples().stream().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " "));
    }

    private List<String> samples() {
        return body.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }
}
