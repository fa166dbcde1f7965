package io.motley.protocol.dataparser;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON value (RFC 8259) into maps (in their order), lists, strings, {@link Long} or
 * {@link Double}, booleans and null; the request bodies of the REST API. Strict: trailing text,
 * duplicate keys, lone surrogates in escapes and nesting deeper than {@link #MAX_DEPTH} are
 * errors, each a {@link JsonException} that names the offset.
 */
public final class JsonReader {
    /** Deeper than any job description; a bound so a hostile body cannot exhaust the stack. */
    public static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;

    private JsonReader(String text) {
        this.text = text;
    }

    /** What is wrong with a JSON text, and where. */
    public static final class JsonException extends RuntimeException {
        public JsonException(String message) {
            super(message);
        }
    }

    public static Object read(String text) {
        JsonReader r = new JsonReader(text);
        r.space();
        Object v = r.value(0);
        r.space();
        if (r.pos != text.length()) throw r.error("unexpected text after the value");
        return v;
    }

    private JsonException error(String what) {
        return new JsonException(what + " at offset " + pos);
    }

    private void space() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
            else return;
        }
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
        if (pos >= text.length()) throw error("unexpected end of input");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> word("true", Boolean.TRUE);
            case 'f' -> word("false", Boolean.FALSE);
            case 'n' -> word("null", null);
            default -> {
                if (c == '-' || c >= '0' && c <= '9') yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Object word(String w, Object v) {
        if (!text.startsWith(w, pos)) throw error("unexpected word");
        pos += w.length();
        return v;
    }

    private Map<String, Object> object(int depth) {
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        space();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(m);
        }
        while (true) {
            space();
            if (peek() != '"') throw error("expected a key");
            int at = pos;
            String key = string();
            space();
            if (peek() != ':') throw error("expected ':'");
            pos++;
            space();
            Object v = value(depth + 1);
            if (m.containsKey(key)) {
                pos = at;
                throw error("duplicate key \"" + key + "\"");
            }
            m.put(key, v);
            space();
            char c = peek();
            pos++;
            if (c == '}') return Collections.unmodifiableMap(m);
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        pos++;
        List<Object> l = new ArrayList<>();
        space();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(l);
        }
        while (true) {
            space();
            l.add(value(depth + 1));
            space();
            char c = peek();
            pos++;
            if (c == ']') return Collections.unmodifiableList(l);
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private char peek() {
        if (pos >= text.length()) throw error("unexpected end of input");
        return text.charAt(pos);
    }

    private String string() {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = peek();
            pos++;
            if (c == '"') return sb.toString();
            if (c < 0x20) {
                pos--;
                throw error("control character in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = peek();
            pos++;
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = unicode();
                    if (Character.isLowSurrogate(u)) throw error("lone low surrogate in a \\u escape");
                    if (Character.isHighSurrogate(u)) {
                        if (!text.startsWith("\\u", pos)) throw error("lone high surrogate in a \\u escape");
                        pos += 2;
                        char low = unicode();
                        if (!Character.isLowSurrogate(low)) throw error("lone high surrogate in a \\u escape");
                        sb.append(u);
                        u = low;
                    }
                    sb.append(u);
                }
                default -> {
                    pos -= 2;
                    throw error("bad escape");
                }
            }
        }
    }

    private char unicode() {
        if (pos + 4 > text.length()) throw error("short \\u escape");
        String hex = text.substring(pos, pos + 4);
        if (!hex.matches("[0-9a-fA-F]{4}")) throw error("bad \\u escape");
        pos += 4;
        return (char) Integer.parseInt(hex, 16);
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') pos++;
        digits();
        boolean integral = true;
        if (pos < text.length() && text.charAt(pos) == '.') {
            pos++;
            digits();
            integral = false;
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) pos++;
            digits();
            integral = false;
        }
        String s = text.substring(start, pos);
        if (s.length() > 1
                && (s.startsWith("0") && Character.isDigit(s.charAt(1))
                        || s.startsWith("-0") && s.length() > 2 && Character.isDigit(s.charAt(2))))
            throw error("leading zero in a number");
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException x) {
                // beyond a long: kept as a double, which a field taking an integer refuses
            }
        }
        return Double.parseDouble(s);
    }

    private void digits() {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) pos++;
        if (pos == start) throw error("expected a digit");
    }
}
