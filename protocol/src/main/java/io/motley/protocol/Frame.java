package io.motley.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One message on Motley's wire: ordered string fields plus child frames (a list of jobs, say).
 * Deliberately tiny, so that the CLI's start-up path carries no serialization library.
 */
public final class Frame {
    private final Map<String, String> fields = new LinkedHashMap<>();
    private final List<Frame> children = new ArrayList<>();

    public static Frame op(String op) {
        return new Frame().put("op", op);
    }

    public static Frame error(String message) {
        return op("error").put("message", message);
    }

    public String op() {
        return str("op", "");
    }

    public boolean isError() {
        return "error".equals(op());
    }

    public Frame put(String key, String value) {
        if (value != null) fields.put(key, value);
        return this;
    }

    public Frame put(String key, long value) {
        fields.put(key, Long.toString(value));
        return this;
    }

    public Frame put(String key, boolean value) {
        fields.put(key, value ? "1" : "0");
        return this;
    }

    public Frame put(String key, double value) {
        fields.put(key, Double.toString(value));
        return this;
    }

    /** Drops the fields whose names start with {@code prefix} (the agent drops any caller.* a client sent). */
    public Frame removeFieldsStartingWith(String prefix) {
        fields.keySet().removeIf(k -> k.startsWith(prefix));
        return this;
    }

    public Frame add(Frame child) {
        children.add(child);
        return this;
    }

    public boolean has(String key) {
        return fields.containsKey(key);
    }

    /** The field's value, or null when absent. */
    public String str(String key) {
        return fields.get(key);
    }

    public String str(String key, String fallback) {
        return fields.getOrDefault(key, fallback);
    }

    public long lng(String key, long fallback) {
        String v = fields.get(key);
        return v == null ? fallback : Long.parseLong(v);
    }

    public int integer(String key, int fallback) {
        String v = fields.get(key);
        return v == null ? fallback : Integer.parseInt(v);
    }

    public double dbl(String key, double fallback) {
        String v = fields.get(key);
        return v == null ? fallback : Double.parseDouble(v);
    }

    public boolean bool(String key) {
        return "1".equals(fields.get(key));
    }

    public Map<String, String> fields() {
        return Collections.unmodifiableMap(fields);
    }

    public List<Frame> children() {
        return Collections.unmodifiableList(children);
    }

    @Override
    public String toString() {
        return "Frame" + fields + (children.isEmpty() ? "" : "+" + children.size() + " children");
    }
}
