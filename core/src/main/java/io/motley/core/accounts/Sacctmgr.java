package io.motley.core.accounts;

import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * sacctmgr's grammar, pure: {@code VERB ENTITY [NAMES] [where] KEY=VALUE... [set KEY=VALUE...]}
 * read into a {@link Request} with keys spelled canonically (sacctmgr takes any unambiguous
 * abbreviation and any case: {@code acc}, {@code maxj}, {@code GrpTRES}).
 */
public final class Sacctmgr {
    private Sacctmgr() {}

    public enum Verb {
        ADD,
        MODIFY,
        DELETE,
        LIST
    }

    public enum Entity {
        ACCOUNT,
        USER,
        QOS,
        ASSOCIATION,
        CLUSTER
    }

    /**
     * One command: the names it acts on (bare words and Name=), its conditions (before {@code set}
     * in modify, all of them in delete and list), what it sets (after {@code set}, or everything in
     * add), and for list the format= fields.
     */
    public record Request(
            Verb verb,
            Entity entity,
            List<String> names,
            Map<String, String> where,
            Map<String, String> set,
            List<String> format) {
        public Request {
            names = List.copyOf(names);
            where = Map.copyOf(where);
            set = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(set));
            format = List.copyOf(format);
        }
    }

    /** A key sacctmgr knows: its canonical name, the fewest letters that name it, and other spellings. */
    private record Key(String name, int min, List<String> aliases) {}

    private static final List<Key> KEYS = List.of(
            new Key("Name", 2, List.of("names")),
            new Key("Description", 3, List.of()),
            new Key("Organization", 1, List.of()),
            new Key("Parent", 3, List.of("parentname")),
            new Key("Partition", 4, List.of()),
            new Key("Fairshare", 2, List.of("share", "shares")),
            new Key("MaxJobs", 4, List.of()),
            new Key("MaxSubmitJobs", 4, List.of("maxsubmit")),
            new Key("MaxWall", 4, List.of("maxwalldurationperjob")),
            new Key("GrpTRES", 7, List.of()),
            new Key("DefaultAccount", 8, List.of()),
            new Key("Account", 3, List.of("accounts", "acct")),
            new Key("AdminLevel", 2, List.of()),
            new Key("Priority", 3, List.of()),
            new Key("User", 1, List.of("users")),
            new Key("Cluster", 2, List.of("clusters")),
            new Key("Format", 3, List.of()));

    /** The canonical name of a key as typed, or an error naming it. */
    public static String key(String typed) {
        String t = typed.toLowerCase(Locale.ROOT);
        for (Key k : KEYS) {
            if (k.aliases().contains(t)) return k.name();
            if (t.length() >= k.min() && k.name().toLowerCase(Locale.ROOT).startsWith(t)) return k.name();
        }
        throw new IllegalArgumentException(" Unknown option: " + typed);
    }

    /** Reads {@code args} (what follows sacctmgr's own options). */
    public static Request parse(List<String> args) {
        if (args.isEmpty()) throw new IllegalArgumentException("No command given");
        Verb verb = verb(args.get(0));
        if (args.size() < 2) throw new IllegalArgumentException("Too few arguments for keyword:" + args.get(0));
        Entity entity = entity(args.get(1));
        List<String> names = new ArrayList<>();
        Map<String, String> where = new LinkedHashMap<>();
        Map<String, String> set = new LinkedHashMap<>();
        List<String> format = new ArrayList<>();
        boolean setting = verb == Verb.ADD;
        for (String tok : args.subList(2, args.size())) {
            if (tok.equalsIgnoreCase("where")) {
                setting = false;
                continue;
            }
            if (tok.equalsIgnoreCase("set")) {
                if (verb != Verb.MODIFY) throw new IllegalArgumentException(" Unknown option: set");
                setting = true;
                continue;
            }
            if (tok.toLowerCase(Locale.ROOT).startsWith("withassoc")) continue;
            int eq = tok.indexOf('=');
            if (eq <= 0) {
                split(tok, names);
                continue;
            }
            String k = tok.substring(0, eq);
            if (k.endsWith("+") || k.endsWith("-"))
                throw new IllegalArgumentException(" Motley does not take " + tok + "; set the whole value with =");
            String key = key(k);
            String value = unquote(tok.substring(eq + 1));
            if (key.equals("Format")) split(value, format);
            else if (key.equals("Name") && !setting) split(value, names);
            else if (key.equals("Name") && verb == Verb.ADD) split(value, names);
            else (setting ? set : where).put(key, value);
        }
        return new Request(verb, entity, names, where, set, format);
    }

    private static void split(String s, List<String> into) {
        for (String n : s.split(",")) if (!n.isBlank()) into.add(n.strip());
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'")))
            return v.substring(1, v.length() - 1);
        return v;
    }

    static Verb verb(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "add", "create" -> Verb.ADD;
            case "modify", "update" -> Verb.MODIFY;
            case "delete", "remove" -> Verb.DELETE;
            case "list", "show" -> Verb.LIST;
            default -> throw new IllegalArgumentException("invalid keyword: " + s);
        };
    }

    static Entity entity(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        if (t.length() >= 3 && "accounts".startsWith(t)) return Entity.ACCOUNT;
        if (t.length() >= 2 && "associations".startsWith(t)) return Entity.ASSOCIATION;
        if (t.length() >= 1 && "users".startsWith(t)) return Entity.USER;
        if (t.length() >= 1 && "qos".startsWith(t)) return Entity.QOS;
        if (t.length() >= 2 && "clusters".startsWith(t)) return Entity.CLUSTER;
        throw new IllegalArgumentException(
                "No valid entity in " + s + " (Motley keeps accounts, users, associations, QOS and its one cluster)");
    }

    /** The limits {@code set} gives over {@code base}; -1 clears a limit, as in sacctmgr. */
    static AssocLimits limits(Map<String, String> set, AssocLimits base) {
        AssocLimits l = base;
        for (var e : set.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "MaxJobs" -> l = l.withMaxJobs(count(e.getKey(), v));
                case "MaxSubmitJobs" -> l = l.withMaxSubmitJobs(count(e.getKey(), v));
                case "MaxWall" -> l = l.withMaxWall(v.equals("-1") ? -1 : Math.max(-1, Durations.parseTimeLimit(v)));
                case "GrpTRES" -> l = l.withGrpTres(Tres.parse(v, l.grpTres()));
                default -> {}
            }
        }
        return l;
    }

    static long count(String key, String v) {
        try {
            long n = Long.parseLong(v.strip());
            if (n < -1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(" Bad " + key + " value: " + v);
        }
    }

    static boolean setsLimits(Map<String, String> set) {
        for (String k : set.keySet()) {
            if (List.of("Fairshare", "MaxJobs", "MaxSubmitJobs", "MaxWall", "GrpTRES")
                    .contains(k)) return true;
        }
        return false;
    }
}
