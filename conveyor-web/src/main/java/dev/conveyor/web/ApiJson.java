package dev.conveyor.web;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.internal.Json;

/**
 * The API's JSON: Conveyor's usual mapper (ISO-8601 instants), writing {@code < > & '} as {@code \\u003c}-style
 * escapes, so job data in a JSON response can never read as markup even if a client mislabels it as HTML.
 */
final class ApiJson {
    private ApiJson() {}

    static ObjectMapper mapper() {
        ObjectMapper m = Json.newMapper();
        m.getFactory().setCharacterEscapes(new HtmlSafe());
        return m;
    }

    private static final class HtmlSafe extends CharacterEscapes {
        private final int[] escapes;

        HtmlSafe() {
            escapes = CharacterEscapes.standardAsciiEscapesForJSON();
            for (char c : new char[] {'<', '>', '&', '\''}) escapes[c] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null; // only standard (\\uXXXX) escapes
        }
    }
}
