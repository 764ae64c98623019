package dev.conveyor.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.conveyor.internal.Json;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Masks the fields a task declared {@code sensitive} (header {@value #HEADER}: comma-separated field names) in a
 * job's args or result JSON, for display. A field with a listed name is replaced by {@code "***"} wherever it
 * appears, at any depth; text that is not JSON is replaced whole when the job has sensitive fields (it cannot be
 * masked field by field, so none of it is shown).
 */
public final class SensitiveFields {
    /** The job header that names the sensitive fields: {@code conveyor-sensitive: password,card.number}. */
    public static final String HEADER = "conveyor-sensitive";
    /** What a masked value reads as. */
    public static final String MASK = "***";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$-]{1,100}");

    private SensitiveFields() {}

    /** Throws {@link IllegalArgumentException} unless {@code name} is a plain field name. */
    public static String requireFieldName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a sensitive field name must match " + NAME.pattern() + ", was "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }

    /** The field names in the job's header; empty when it has none. Malformed names are ignored. */
    public static Set<String> of(Job job) {
        String header = job.headers().get(HEADER);
        if (header == null || header.isBlank()) return Set.of();
        Set<String> out = new TreeSet<>();
        Arrays.stream(header.split(",")).map(String::trim).filter(n -> NAME.matcher(n).matches()).forEach(out::add);
        return out;
    }

    /** The job's args with its sensitive fields masked. */
    public static String maskedArgs(Job job) {
        return mask(job.args(), of(job));
    }

    /** {@code json} with every field named in {@code fields} replaced by {@value #MASK}; null stays null. */
    public static String mask(String json, Set<String> fields) {
        if (json == null || fields.isEmpty()) return json;
        try {
            JsonNode node = Json.readExact(json); // shown as stored: decimals with every digit
            if (node == null) return json;
            maskNode(node, fields);
            return Json.mapper().writeValueAsString(node);
        } catch (Exception e) {
            return "\"" + MASK + "\"";
        }
    }

    private static void maskNode(JsonNode node, Set<String> fields) {
        if (node instanceof ObjectNode obj) {
            for (Map.Entry<String, JsonNode> e : obj.properties()) {
                if (fields.contains(e.getKey())) e.setValue(TextNode.valueOf(MASK));
                else maskNode(e.getValue(), fields);
            }
        } else if (node instanceof ArrayNode arr) {
            for (JsonNode child : arr) maskNode(child, fields);
        }
    }
}
