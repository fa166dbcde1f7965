package io.motley.deploy;

import io.motley.core.hostlist.Hostlist;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The inventory's node settings that belong to the controller, written into its motley.conf:
 * each host's Features= and CoreSpecCount= on its NodeName line, and the node in the Nodes= of
 * each of its partitions. Pure: the file's text in, the new text and what changed out; a second
 * run over its own output changes nothing. Lines are edited in place, keeping their other keys
 * and comments; what is missing is added at the end.
 */
final class ControllerConf {
    private ControllerConf() {}

    /** The new text and one line per change (empty when nothing changed). */
    record Edit(String text, List<String> changes) {
        Edit {
            changes = List.copyOf(changes);
        }

        boolean changed() {
            return !changes.isEmpty();
        }
    }

    /** One line of the file: its keys in order (null for a line without any) and its comment. */
    private static final class Line {
        final String original;
        final Map<String, String> keys;
        final String comment;
        boolean edited;

        Line(String text) {
            this.original = text;
            int hash = text.indexOf('#');
            String body = (hash < 0 ? text : text.substring(0, hash)).strip();
            this.comment = hash < 0 ? "" : text.substring(hash);
            Map<String, String> kv = null;
            if (!body.isEmpty()) {
                kv = new LinkedHashMap<>();
                for (String tok : body.split("\\s+")) {
                    int eq = tok.indexOf('=');
                    // a line this editor cannot read is left alone (the controller will say what is wrong with it)
                    if (eq <= 0) {
                        kv = null;
                        break;
                    }
                    kv.put(tok.substring(0, eq), tok.substring(eq + 1));
                }
            }
            this.keys = kv;
        }

        Line(Map<String, String> keys) {
            this.original = null;
            this.keys = keys;
            this.comment = "";
            this.edited = true;
        }

        /** The value of the line's first key when it is {@code word} (NodeName, PartitionName), else null. */
        String first(String word) {
            if (keys == null || keys.isEmpty()) return null;
            Map.Entry<String, String> e = keys.entrySet().iterator().next();
            return e.getKey().toLowerCase(Locale.ROOT).equals(word.toLowerCase(Locale.ROOT)) ? e.getValue() : null;
        }

        String text() {
            if (!edited) return original;
            List<String> words = new ArrayList<>();
            keys.forEach((k, v) -> words.add(k + "=" + v));
            return String.join(" ", words) + (comment.isEmpty() ? "" : " " + comment);
        }
    }

    /** motley.conf's text with the settings of {@code hosts} in it. */
    static Edit apply(String conf, List<Inventory.Host> hosts) {
        List<Line> lines = new ArrayList<>();
        String body = conf.endsWith("\n") ? conf.substring(0, conf.length() - 1) : conf;
        if (!conf.isEmpty()) for (String l : body.split("\n", -1)) lines.add(new Line(l));
        List<String> changes = new ArrayList<>();
        for (Inventory.Host h : hosts) nodeLine(lines, h, changes);
        for (Inventory.Host h : hosts) for (String p : h.partitions()) partition(lines, p, h.nodeName(), changes);
        if (changes.isEmpty()) return new Edit(conf, List.of());
        StringBuilder out = new StringBuilder();
        for (Line l : lines) out.append(l.text()).append('\n');
        return new Edit(out.toString(), changes);
    }

    private static void nodeLine(List<Line> lines, Inventory.Host h, List<String> changes) {
        Map<String, String> wanted = new LinkedHashMap<>();
        if (!h.features().isEmpty()) wanted.put("Features", String.join(",", h.features()));
        if (h.coreSpecCount() != null)
            wanted.put("CoreSpecCount", h.coreSpecCount().toString());
        if (wanted.isEmpty()) return;
        String node = h.nodeName();
        // the last line naming the node is the one the controller uses (a later line replaces an earlier one)
        Line last = null;
        for (Line l : lines) {
            String names = l.first("NodeName");
            if (names == null) continue;
            try {
                if (Hostlist.expand(names).contains(node)) last = l;
            } catch (IllegalArgumentException e) {
                // not a host list this editor can read: not this node's line
            }
        }
        if (last != null && node.equals(last.first("NodeName"))) {
            List<String> set = new ArrayList<>();
            for (Map.Entry<String, String> w : wanted.entrySet()) {
                if (!w.getValue().equals(last.keys.get(w.getKey()))) {
                    last.keys.put(w.getKey(), w.getValue());
                    set.add(w.getKey() + "=" + w.getValue());
                }
            }
            if (!set.isEmpty()) {
                last.edited = true;
                changes.add("NodeName=" + node + ": " + String.join(" ", set));
            }
            return;
        }
        // a line of its own after the host list's, carrying that line's other keys (Weight=, Users=, ...) along
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("NodeName", node);
        if (last != null)
            for (Map.Entry<String, String> k : last.keys.entrySet())
                if (!k.getKey().equalsIgnoreCase("NodeName")) keys.put(k.getKey(), k.getValue());
        keys.putAll(wanted);
        Line added = new Line(keys);
        lines.add(added);
        changes.add("added " + added.text());
    }

    private static void partition(List<Line> lines, String partition, String node, List<String> changes) {
        Line found = null;
        boolean anyPartition = false;
        for (Line l : lines) {
            String name = l.first("PartitionName");
            if (name == null) continue;
            anyPartition = true;
            if (name.equals(partition)) found = l;
        }
        if (found == null) {
            if (!anyPartition) {
                // without a PartitionName line the controller has one default partition "main" of all nodes:
                // keep it once another partition is named
                Map<String, String> main = new LinkedHashMap<>();
                main.put("PartitionName", "main");
                main.put("Nodes", "ALL");
                main.put("Default", "YES");
                lines.add(new Line(main));
                changes.add("added PartitionName=main Nodes=ALL Default=YES (the default partition motley.conf had"
                        + " without any)");
            }
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("PartitionName", partition);
            keys.put("Nodes", node);
            Line added = new Line(keys);
            lines.add(added);
            changes.add("added " + added.text());
            return;
        }
        String nodes = found.keys.get("Nodes");
        if (nodes == null || nodes.equalsIgnoreCase("ALL")) return;
        try {
            if (Hostlist.expand(nodes).contains(node)) return;
        } catch (IllegalArgumentException e) {
            // an unreadable list: the node is added and the controller reports what is wrong with the rest
        }
        found.keys.put("Nodes", nodes.isEmpty() ? node : nodes + "," + node);
        found.edited = true;
        changes.add("PartitionName=" + partition + ": Nodes=+" + node);
    }
}
