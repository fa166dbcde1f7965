package io.motley.deploy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The hosts {@code motley deploy} puts agents on, read from a small YAML file (docs/deploy.md):
 *
 * <pre>
 * controller: 10.0.0.1:6917      # optional: where the agents connect (default: this host's motley.conf)
 * dir: /opt/motley               # optional: where the bundle goes on each host
 * home: /var/lib/motley          # optional: MOTLEY_HOME on each host
 * hosts:
 *   - host: nas1.lan
 *     user: root
 *     key: ~/.ssh/id_ed25519
 *     port: 22
 *     name: nas1
 *     partitions: [batch, gpu]
 *     features: [nvme]
 *     CoreSpecCount: 1
 * </pre>
 *
 * The parser is pure and reads only this subset of YAML (mappings, one list of mappings, flow or
 * block lists of words, quoted or plain scalars, comments); anything else is an error naming its
 * line.
 */
public record Inventory(String controller, String dir, String home, List<Host> hosts) {

    public static final String DEFAULT_DIR = "/opt/motley";
    public static final String DEFAULT_HOME = "/var/lib/motley";

    /** One host of the inventory: how to reach it over SSH and the node's settings. */
    public record Host(
            int line,
            String host,
            String user,
            String key,
            int port,
            String name,
            List<String> partitions,
            List<String> features,
            Integer coreSpecCount,
            String memSpecLimit,
            Integer cpus,
            String memory,
            String gpus) {

        /** The node's name: {@code name}, else the host's first label (an address is kept whole). */
        public String nodeName() {
            if (name != null) return name;
            if (host.matches("[0-9.]+") || host.contains(":")) return host;
            int dot = host.indexOf('.');
            return dot < 0 ? host : host.substring(0, dot);
        }

        /** The options of {@code motley agent} that carry this host's node settings. */
        public List<String> agentOptions() {
            List<String> out = new ArrayList<>();
            if (cpus != null) out.addAll(List.of("--cpus", cpus.toString()));
            if (memory != null) out.addAll(List.of("--mem", memory));
            if (coreSpecCount != null) out.addAll(List.of("--core-spec", coreSpecCount.toString()));
            if (memSpecLimit != null) out.addAll(List.of("--mem-spec", memSpecLimit));
            if (gpus != null) out.addAll(List.of("--gpus", gpus));
            return List.copyOf(out);
        }
    }

    /** An inventory that cannot be used; the message names the file's line and the field. */
    public static final class InvalidInventory extends Exception {
        private final int line;

        public InvalidInventory(int line, String message) {
            super("line " + line + ": " + message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    static final List<String> TOP_FIELDS = List.of("controller", "dir", "home", "hosts");
    static final List<String> HOST_FIELDS = List.of(
            "host",
            "user",
            "key",
            "port",
            "name",
            "partitions",
            "features",
            "CoreSpecCount",
            "MemSpecLimit",
            "cpus",
            "memory",
            "gpus");
    private static final Set<String> LIST_FIELDS = Set.of("partitions", "features");

    /** Parses an inventory's text. */
    public static Inventory parse(String text) throws InvalidInventory {
        String[] lines = text.split("\n", -1);
        Map<String, String> top = new LinkedHashMap<>();
        List<Map<String, Object>> hostItems = new ArrayList<>();
        List<Map<String, Integer>> hostLines = new ArrayList<>();
        List<Integer> itemLines = new ArrayList<>();
        boolean inHosts = false;
        int hostsLine = 0;
        int itemIndent = -1; // the indentation of the current item's fields
        String openList = null; // a block list being read (partitions:, features: with items below)
        int openListIndent = -1;
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String raw = stripComment(lines[i], n);
            if (raw.isBlank()) continue;
            if (raw.substring(0, raw.length() - raw.stripLeading().length()).indexOf('\t') >= 0)
                throw new InvalidInventory(n, "a tab in the indentation (YAML indents with spaces)");
            int indent = indentOf(raw);
            String body = raw.strip();
            boolean item = body.startsWith("- ") || body.equals("-");
            if (indent == 0 && !(inHosts && item)) {
                openList = null;
                inHosts = false;
                Field f = field(body, n);
                String key = canonical(f.key(), TOP_FIELDS, n, "top-level field");
                if (top.containsKey(key) || (key.equals("hosts") && hostsLine > 0))
                    throw new InvalidInventory(n, "'" + key + "' given twice");
                if (key.equals("hosts")) {
                    if (!f.value().isEmpty())
                        throw new InvalidInventory(n, "'hosts:' takes a list of hosts on the lines below it");
                    inHosts = true;
                    hostsLine = n;
                } else {
                    if (f.value().isEmpty()) throw new InvalidInventory(n, "'" + key + "' has no value");
                    top.put(key, scalar(f.value(), n));
                }
                continue;
            }
            if (!inHosts || (indent == 0 && !item))
                throw new InvalidInventory(n, "indented line outside 'hosts:' (only hosts' fields are indented)");
            if (openList != null && indent >= openListIndent && item) {
                String v = scalar(body.substring(1).strip(), n);
                if (v.isEmpty()) throw new InvalidInventory(n, "empty item in '" + openList + "'");
                @SuppressWarnings("unchecked")
                List<String> list =
                        (List<String>) hostItems.get(hostItems.size() - 1).get(openList);
                list.add(v);
                continue;
            }
            openList = null;
            String fieldText;
            if (item) {
                hostItems.add(new LinkedHashMap<>());
                hostLines.add(new LinkedHashMap<>());
                itemLines.add(n);
                fieldText = body.substring(1).strip();
                itemIndent = indent
                        + body.length()
                        - body.substring(1).stripLeading().length();
                if (fieldText.isEmpty()) continue;
            } else {
                if (hostItems.isEmpty())
                    throw new InvalidInventory(n, "expected '- host: ...' (an item of 'hosts:'), got '" + body + "'");
                if (indent != itemIndent)
                    throw new InvalidInventory(
                            n,
                            "field not aligned with the host's other fields (indent " + indent + ", expected "
                                    + itemIndent + ")");
                fieldText = body;
            }
            Field f = field(fieldText, n);
            String key = canonical(f.key(), HOST_FIELDS, n, "host field");
            Map<String, Object> fields = hostItems.get(hostItems.size() - 1);
            if (fields.containsKey(key)) throw new InvalidInventory(n, "'" + key + "' given twice for this host");
            hostLines.get(hostLines.size() - 1).put(key, n);
            if (LIST_FIELDS.contains(key)) {
                List<String> list = new ArrayList<>();
                if (f.value().isEmpty()) {
                    openList = key;
                    openListIndent = itemIndent;
                } else list.addAll(words(f.value(), key, n));
                fields.put(key, list);
            } else {
                if (f.value().isEmpty()) throw new InvalidInventory(n, "'" + key + "' has no value");
                fields.put(key, scalar(f.value(), n));
            }
        }
        if (hostsLine == 0) throw new InvalidInventory(lines.length, "no 'hosts:' list");
        if (hostItems.isEmpty()) throw new InvalidInventory(hostsLine, "'hosts:' lists no host");
        List<Host> hosts = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> targets = new HashSet<>();
        for (int h = 0; h < hostItems.size(); h++) {
            Host host = host(hostItems.get(h), hostLines.get(h), itemLines.get(h));
            if (!targets.add(host.host() + ":" + host.port()))
                throw new InvalidInventory(host.line(), "host " + host.host() + " is listed twice");
            if (!names.add(host.nodeName()))
                throw new InvalidInventory(host.line(), "node name " + host.nodeName() + " is used by two hosts");
            hosts.add(host);
        }
        String controller = top.get("controller");
        if (controller != null && !controller.matches("[^\\s:]+:[0-9]{1,5}|\\[[0-9a-fA-F:]+]:[0-9]{1,5}"))
            throw new InvalidInventory(
                    lineOf(lines, "controller"), "'controller' must be ADDRESS:PORT, got '" + controller + "'");
        String dir = top.getOrDefault("dir", DEFAULT_DIR);
        String home = top.getOrDefault("home", DEFAULT_HOME);
        for (String k : List.of("dir", "home")) {
            String v = k.equals("dir") ? dir : home;
            if (!v.startsWith("/") || !v.matches("[A-Za-z0-9._/+-]+"))
                throw new InvalidInventory(
                        lineOf(lines, k),
                        "'" + k + "' must be an absolute path of letters, digits and ._/+-, got '" + v + "'");
        }
        return new Inventory(controller, dir, home, List.copyOf(hosts));
    }

    private static Host host(Map<String, Object> item, Map<String, Integer> at, int line) throws InvalidInventory {
        for (String required : List.of("host", "user"))
            if (!item.containsKey(required)) throw new InvalidInventory(line, "this host has no '" + required + "'");
        String host = (String) item.get("host");
        if (!host.matches("[A-Za-z0-9._:-]+"))
            throw new InvalidInventory(at.get("host"), "'host' must be a host name or address, got '" + host + "'");
        String user = (String) item.get("user");
        if (!user.matches("[a-z_][a-z0-9_.-]*\\$?"))
            throw new InvalidInventory(at.get("user"), "'user' must be a user name, got '" + user + "'");
        int port = item.containsKey("port") ? number(item, at, "port", 1, 65535) : 22;
        String name = (String) item.get("name");
        if (name != null && !name.matches("[A-Za-z0-9][A-Za-z0-9_-]*"))
            throw new InvalidInventory(
                    at.get("name"), "'name' must be a node name (letters, digits, _ and -), got '" + name + "'");
        Integer coreSpec = item.containsKey("CoreSpecCount") ? number(item, at, "CoreSpecCount", 0, 4096) : null;
        Integer cpus = item.containsKey("cpus") ? number(item, at, "cpus", 1, 65536) : null;
        String memSpec = size(item, at, "MemSpecLimit");
        String memory = size(item, at, "memory");
        String gpus = (String) item.get("gpus");
        if (gpus != null && !gpus.matches("all|none|[0-9]+(,[0-9]+)*"))
            throw new InvalidInventory(
                    at.get("gpus"), "'gpus' must be all, none or a list of indexes like 0,1, got '" + gpus + "'");
        return new Host(
                line,
                host,
                user,
                (String) item.get("key"),
                port,
                name,
                list(item, "partitions"),
                list(item, "features"),
                coreSpec,
                memSpec,
                cpus,
                memory,
                gpus);
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> item, String key) {
        Object v = item.get(key);
        return v == null ? List.of() : List.copyOf((List<String>) v);
    }

    private static int number(Map<String, Object> item, Map<String, Integer> at, String key, int min, int max)
            throws InvalidInventory {
        String v = (String) item.get(key);
        try {
            int x = Integer.parseInt(v);
            if (x >= min && x <= max) return x;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new InvalidInventory(
                at.get(key), "'" + key + "' must be a whole number from " + min + " to " + max + ", got '" + v + "'");
    }

    private static String size(Map<String, Object> item, Map<String, Integer> at, String key) throws InvalidInventory {
        String v = (String) item.get(key);
        if (v == null) return null;
        if (!v.matches("[0-9]+[KMGTkmgt]?"))
            throw new InvalidInventory(
                    at.get(key),
                    "'" + key + "' must be a size in megabytes or with K, M, G or T," + " got '" + v + "'");
        return v;
    }

    private record Field(String key, String value) {}

    private static Field field(String text, int n) throws InvalidInventory {
        int colon = text.indexOf(':');
        if (colon <= 0 || (colon + 1 < text.length() && text.charAt(colon + 1) != ' '))
            throw new InvalidInventory(n, "expected 'field: value', got '" + text + "'");
        return new Field(
                text.substring(0, colon).strip(), text.substring(colon + 1).strip());
    }

    private static String canonical(String key, List<String> known, int n, String what) throws InvalidInventory {
        for (String k : known) if (k.equalsIgnoreCase(key)) return k;
        throw new InvalidInventory(n, "unknown " + what + " '" + key + "' (known: " + String.join(", ", known) + ")");
    }

    private static String scalar(String v, int n) throws InvalidInventory {
        if (v.startsWith("\"") || v.startsWith("'")) {
            char q = v.charAt(0);
            if (v.length() < 2 || v.charAt(v.length() - 1) != q)
                throw new InvalidInventory(n, "unterminated quoted value " + v);
            return v.substring(1, v.length() - 1);
        }
        if (v.startsWith("[")
                || v.startsWith("{")
                || v.startsWith("&")
                || v.startsWith("*")
                || v.startsWith("|")
                || v.startsWith(">")) throw new InvalidInventory(n, "expected a plain value, got '" + v + "'");
        return v;
    }

    private static List<String> words(String v, String key, int n) throws InvalidInventory {
        String inner = v;
        if (v.startsWith("[")) {
            if (!v.endsWith("]")) throw new InvalidInventory(n, "'" + key + "': unterminated list " + v);
            inner = v.substring(1, v.length() - 1);
        }
        List<String> out = new ArrayList<>();
        for (String w : inner.split(",")) {
            String s = scalar(w.strip(), n);
            if (s.isEmpty()) {
                if (inner.isBlank()) continue;
                throw new InvalidInventory(n, "'" + key + "': empty item in " + v);
            }
            if (!s.matches("[A-Za-z0-9_.+-]+"))
                throw new InvalidInventory(n, "'" + key + "': '" + s + "' is not a name (letters, digits, _.+-)");
            out.add(s);
        }
        return out;
    }

    private static String stripComment(String line, int n) throws InvalidInventory {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) single = !single;
            else if (c == '"' && !single) dbl = !dbl;
            else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1))))
                return line.substring(0, i).stripTrailing();
        }
        if (line.endsWith("\r")) return line.substring(0, line.length() - 1);
        return line.stripTrailing();
    }

    private static int indentOf(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == ' ') i++;
        return i;
    }

    private static int lineOf(String[] lines, String key) {
        for (int i = 0; i < lines.length; i++)
            if (lines[i].toLowerCase(Locale.ROOT).startsWith(key + ":")) return i + 1;
        return 1;
    }
}
