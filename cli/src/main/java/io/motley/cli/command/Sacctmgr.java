package io.motley.cli.command;

import static io.motley.cli.format.Cells.justify;

import io.motley.core.accounts.AccountsChange;
import io.motley.core.accounts.AccountsDb;
import io.motley.core.accounts.AssocLimits;
import io.motley.core.accounts.Sacctmgr.Entity;
import io.motley.core.accounts.Sacctmgr.Request;
import io.motley.core.accounts.Sacctmgr.Verb;
import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.time.Durations;
import io.motley.protocol.Message;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * sacctmgr: accounts, users, associations and QOS, kept in the controller's database. add,
 * modify and delete print what they would change and ask before committing (unless -i), in
 * sacctmgr's words; list/show print sacctmgr's columns (format= chooses them, -P/-p parsable,
 * -n without header). Only root and users with AdminLevel Operator or Administrator change
 * anything; the controller refuses others with Slurm's "Access/permission denied".
 */
public final class Sacctmgr implements Command {

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag('i', "immediate"),
            OptionSpec.flag('n', "noheader"),
            OptionSpec.flag('p', "parsable"),
            OptionSpec.flag('P', "parsable2"),
            OptionSpec.flag('Q', "quiet"),
            OptionSpec.flag('s', "associations"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("sacctmgr", OPTIONS, true).parse(args);
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        Request r;
        try {
            r = grammar(p.operands());
        } catch (IllegalArgumentException e) {
            io.err().println(e.getMessage());
            return 1;
        }
        if (r.verb() == Verb.LIST && p.has("associations") && r.entity() == Entity.USER) {
            // -s: a user's associations, one line each (tools read `-n -s list user U format=account`)
            Map<String, String> where = new java.util.LinkedHashMap<>(r.where());
            List<String> users = new ArrayList<>(r.names());
            if (where.containsKey("Name"))
                users.addAll(List.of(where.remove("Name").split(",")));
            if (!users.isEmpty()) where.put("User", String.join(",", users));
            r = new Request(r.verb(), Entity.ASSOCIATION, List.of(), where, r.set(), r.format());
        }
        if (r.verb() == Verb.LIST) {
            Message.AccountsAnswer resp = io.gateway().ask(new Message.AccountsQuery());
            AccountsDb db = resp.db();
            String cluster = resp.cluster();
            String delimiter = p.has("parsable") || p.has("parsable2") ? "|" : null;
            try {
                io.out().print(list(r, db, cluster, delimiter, p.has("parsable"), !p.has("noheader")));
            } catch (IllegalArgumentException e) {
                io.err().println(e.getMessage());
                return 1;
            }
            return 0;
        }
        boolean now = p.has("immediate");
        AccountsChange.Result result =
                io.gateway().ask(new Message.AccountsUpdate(r, now)).result();
        io.out().print(result.out());
        if (!result.err().isEmpty()) {
            io.err().println(result.err());
            return 1;
        }
        if (now || !result.changed()) return 0;
        io.out().println("Would you like to commit changes? (You have 30 seconds to decide)");
        io.out().print("(N/y): ");
        io.out().flush();
        String answer = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8)).readLine();
        io.out().println();
        if (answer == null || !answer.strip().equalsIgnoreCase("y")) {
            io.out().println(" Changes Discarded");
            return 0;
        }
        AccountsChange.Result committed =
                io.gateway().ask(new Message.AccountsUpdate(r, true)).result();
        if (!committed.err().isEmpty()) {
            io.err().println(committed.err());
            return 1;
        }
        return 0;
    }

    /** The core's parser (its class shares this one's name). */
    private static Request grammar(List<String> operands) {
        return io.motley.core.accounts.Sacctmgr.parse(operands);
    }

    // ---- list -----------------------------------------------------------------------------

    /** One line of a listing: whatever an account, user, association, QOS or the cluster shows. */
    record Row(
            String cluster,
            String account,
            String user,
            String description,
            String organization,
            String parent,
            long share,
            String defaultAccount,
            String admin,
            String name,
            long priority,
            String qos,
            AssocLimits limits) {}

    /** A column: sacctmgr's name for it, how few letters name it, its header and width, and its value. */
    record Field(String name, int min, String header, int width, Function<Row, String> value) {
        Field withWidth(int w) {
            return new Field(name, min, header, w, value);
        }
    }

    private static String num(long v) {
        return v < 0 ? "" : Long.toString(v);
    }

    private static final Function<Row, String> EMPTY = r -> "";

    static final List<Field> FIELDS = List.of(
            new Field("Account", 3, "Account", 10, Row::account),
            new Field("AdminLevel", 2, "Admin", 9, Row::admin),
            new Field("Cluster", 2, "Cluster", 10, Row::cluster),
            new Field("ControlHost", 8, "ControlHost", 15, EMPTY),
            new Field("ControlPort", 8, "ControlPort", 12, EMPTY),
            new Field("DefaultAccount", 8, "Def Acct", 10, Row::defaultAccount),
            new Field("DefaultQOS", 8, "Def QOS", 9, EMPTY),
            new Field("Description", 3, "Descr", 20, Row::description),
            new Field("Flags", 2, "Flags", 20, EMPTY),
            new Field("GraceTime", 3, "GraceTime", 10, r -> r.name() == null ? "" : "00:00:00"),
            new Field("GrpJobs", 4, "GrpJobs", 7, EMPTY),
            new Field("GrpSubmitJobs", 4, "GrpSubmit", 9, EMPTY),
            new Field("GrpTRESMins", 8, "GrpTRESMins", 13, EMPTY),
            new Field("GrpTRESRunMins", 8, "GrpTRESRunMin", 13, EMPTY),
            new Field(
                    "GrpTRES",
                    7,
                    "GrpTRES",
                    13,
                    r -> r.limits() == null ? "" : r.limits().grpTres().format()),
            new Field("GrpWall", 4, "GrpWall", 11, EMPTY),
            new Field("MaxJobsPerAccount", 9, "MaxJobsPA", 9, EMPTY),
            new Field("MaxJobsPerUser", 9, "MaxJobsPU", 9, EMPTY),
            new Field(
                    "MaxJobs",
                    4,
                    "MaxJobs",
                    7,
                    r -> r.limits() == null ? "" : num(r.limits().maxJobs())),
            new Field("MaxSubmitJobsPerAccount", 11, "MaxSubmitPA", 11, EMPTY),
            new Field("MaxSubmitJobsPerUser", 11, "MaxSubmitPU", 11, EMPTY),
            new Field(
                    "MaxSubmitJobs",
                    4,
                    "MaxSubmit",
                    9,
                    r -> r.limits() == null ? "" : num(r.limits().maxSubmitJobs())),
            new Field("MaxTRESMins", 8, "MaxTRESMins", 13, EMPTY),
            new Field("MaxTRESPerAccount", 9, "MaxTRESPA", 13, EMPTY),
            new Field("MaxTRESPerNode", 11, "MaxTRESPerNode", 14, EMPTY),
            new Field("MaxTRESPerUser", 9, "MaxTRESPU", 13, EMPTY),
            new Field("MaxTRES", 7, "MaxTRES", 13, EMPTY),
            new Field(
                    "MaxWall",
                    4,
                    "MaxWall",
                    11,
                    r -> r.limits() == null || r.limits().maxWallSeconds() < 0
                            ? ""
                            : Durations.formatFixed(r.limits().maxWallSeconds())),
            new Field("MinTRES", 4, "MinTRES", 13, EMPTY),
            new Field("Name", 2, "Name", 10, Row::name),
            new Field("Organization", 1, "Org", 20, Row::organization),
            new Field("ParentName", 7, "Par Name", 10, Row::parent),
            new Field("Partition", 4, "Partition", 10, EMPTY),
            new Field("PreemptExemptTime", 8, "PreemptExemptTime", 19, EMPTY),
            new Field("PreemptMode", 8, "PreemptMode", 11, r -> r.name() == null ? "" : "cluster"),
            new Field("Preempt", 7, "Preempt", 10, EMPTY),
            new Field("Priority", 3, "Priority", 10, r -> r.name() != null ? Long.toString(r.priority()) : ""),
            new Field("QOS", 3, "QOS", 20, Row::qos),
            new Field("RPC", 3, "RPC", 5, EMPTY),
            new Field("Share", 1, "Share", 9, r -> r.share() < 0 ? "" : Long.toString(r.share())),
            new Field("UsageFactor", 6, "UsageFactor", 11, r -> r.name() == null ? "" : "1.000000"),
            new Field("UsageThreshold", 6, "UsageThres", 10, EMPTY),
            new Field("User", 1, "User", 10, Row::user));

    static final Map<Entity, String> DEFAULTS = Map.of(
            Entity.ACCOUNT,
            "Account,Description,Organization",
            Entity.USER,
            "User,DefaultAccount,AdminLevel",
            Entity.ASSOCIATION,
            "Cluster,Account,User,Partition,Share,Priority,GrpJobs,GrpTRES,GrpSubmitJobs,GrpWall,GrpTRESMins,"
                    + "MaxJobs,MaxTRES,MaxTRESPerNode,MaxSubmitJobs,MaxWall,MaxTRESMins,QOS,DefaultQOS,GrpTRESRunMins",
            Entity.QOS,
            "Name,Priority,GraceTime,Preempt,PreemptExemptTime,PreemptMode,Flags%40,UsageThreshold,UsageFactor,"
                    + "GrpTRES,GrpTRESMins,GrpTRESRunMins,GrpJobs,GrpSubmitJobs,GrpWall,MaxTRES,MaxTRESPerNode,"
                    + "MaxTRESMins,MaxWall,MaxTRESPerUser,MaxJobsPerUser,MaxSubmitJobsPerUser,MaxTRESPerAccount,"
                    + "MaxJobsPerAccount,MaxSubmitJobsPerAccount,MinTRES",
            Entity.CLUSTER,
            "Cluster,ControlHost,ControlPort,RPC,Share,GrpJobs,GrpTRES,GrpSubmitJobs,MaxJobs,MaxTRES,MaxSubmitJobs,"
                    + "MaxWall,QOS,DefaultQOS");

    /** A format= field: a name sacctmgr knows (any unambiguous start of it), with an optional %WIDTH. */
    static Field field(String spec) {
        String name = spec;
        int width = 0;
        int pct = spec.indexOf('%');
        if (pct >= 0) {
            name = spec.substring(0, pct);
            width = Integer.parseInt(spec.substring(pct + 1));
        }
        String t = name.toLowerCase(Locale.ROOT);
        for (Field f : FIELDS) {
            if (f.name().equalsIgnoreCase(t)) return width == 0 ? f : f.withWidth(width);
        }
        for (Field f : FIELDS) {
            if (t.length() >= f.min() && f.name().toLowerCase(Locale.ROOT).startsWith(t)) {
                return width == 0 ? f : f.withWidth(width);
            }
        }
        throw new IllegalArgumentException(" Unknown field '" + name + "'");
    }

    static String list(Request r, AccountsDb db, String cluster, String delimiter, boolean ending, boolean header) {
        List<String> specs =
                r.format().isEmpty() ? List.of(DEFAULTS.get(r.entity()).split(",")) : r.format();
        List<Field> fields = new ArrayList<>();
        for (String s : specs) fields.add(field(s));
        StringBuilder out = new StringBuilder();
        if (header) {
            for (int i = 0; i < fields.size(); i++)
                cell(
                        out,
                        delimiter == null
                                ? io.motley.cli.format.Cells.cut(
                                        fields.get(i).header(),
                                        Math.abs(fields.get(i).width()))
                                : fields.get(i).header(),
                        fields.get(i),
                        delimiter,
                        ending,
                        i == fields.size() - 1);
            out.append('\n');
            if (delimiter == null) {
                for (Field f : fields)
                    out.append("-".repeat(Math.abs(f.width()))).append(' ');
                out.append('\n');
            }
        }
        for (Row row : rows(r, db, cluster)) {
            for (int i = 0; i < fields.size(); i++) {
                Field f = fields.get(i);
                String v = f.value().apply(row);
                cell(out, v == null ? "" : v, f, delimiter, ending, i == fields.size() - 1);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** A value as print_fields prints it: right-justified, cut with '+' when too long; or between delimiters. */
    private static void cell(StringBuilder out, String v, Field f, String delimiter, boolean ending, boolean last) {
        if (delimiter != null) {
            out.append(v);
            if (ending || !last) out.append(delimiter);
            return;
        }
        int abs = Math.abs(f.width());
        String shown = v.length() > abs ? v.substring(0, abs - 1) + "+" : v;
        out.append(justify(shown, f.width())).append(' ');
    }

    private static boolean picked(List<String> names, Map<String, String> where, String key, String value) {
        if (!names.isEmpty() && !names.contains(value)) return false;
        String w = where.get(key);
        return w == null || List.of(w.split(",")).contains(value);
    }

    /**
     * -s on list user: the users' associations, one line each, as the association listing shows
     * them (tools read `sacctmgr -n -s list user U format=account%20` to pick an account).
     */
    static Request withAssociations(Request r) {
        if (r.verb() != Verb.LIST || r.entity() != Entity.USER) return r;
        Map<String, String> where = new java.util.LinkedHashMap<>(r.where());
        List<String> users = new ArrayList<>(r.names());
        if (where.containsKey("Name")) users.addAll(List.of(where.remove("Name").split(",")));
        if (!users.isEmpty()) where.put("User", String.join(",", users));
        return new Request(r.verb(), Entity.ASSOCIATION, List.of(), where, r.set(), r.format());
    }

    static List<Row> rows(Request r, AccountsDb db, String cluster) {
        List<Row> out = new ArrayList<>();
        String qos = allQos(db);
        switch (r.entity()) {
            case ACCOUNT -> {
                for (AccountsDb.Account a : db.accounts()) {
                    if (!picked(r.names(), r.where(), "Name", a.name())) continue;
                    out.add(new Row(
                            cluster,
                            a.name(),
                            "",
                            a.description(),
                            a.organization(),
                            parent(a),
                            a.shares(),
                            "",
                            "",
                            null,
                            0,
                            qos,
                            a.limits()));
                }
            }
            case USER -> {
                for (AccountsDb.User u : db.users()) {
                    if (!picked(r.names(), r.where(), "Name", u.name())) continue;
                    out.add(new Row(
                            cluster,
                            "",
                            u.name(),
                            "",
                            "",
                            "",
                            -1,
                            u.defaultAccount() == null ? "" : u.defaultAccount(),
                            u.adminLevel().name(),
                            null,
                            0,
                            qos,
                            null));
                }
            }
            case QOS -> {
                List<AccountsDb.Qos> all = new ArrayList<>();
                if (db.qos("normal").isEmpty()) all.add(new AccountsDb.Qos("normal", "Normal QOS default", 0));
                all.addAll(db.qos());
                for (AccountsDb.Qos q : all) {
                    if (!picked(r.names(), r.where(), "Name", q.name())) continue;
                    out.add(new Row(
                            cluster, "", "", q.description(), "", "", -1, "", "", q.name(), q.priority(), "", null));
                }
            }
            case CLUSTER -> out.add(new Row(cluster, "", "", "", "", "", 1, "", "", null, 0, qos, AssocLimits.NONE));
            case ASSOCIATION -> {
                List<String> accounts = new ArrayList<>(r.names());
                if (r.where().containsKey("Account"))
                    accounts.addAll(List.of(r.where().get("Account").split(",")));
                String users = r.where().get("User");
                if (accounts.isEmpty() && users == null)
                    out.add(new Row(
                            cluster, AccountsDb.ROOT, "", "", "", "", 1, "", "", null, 0, qos, AssocLimits.NONE));
                tree(db, null, accounts, users == null ? null : List.of(users.split(",")), cluster, qos, out);
            }
        }
        return out;
    }

    /** Associations in sacctmgr's order: each account, then its users, then its sub-accounts. */
    private static void tree(
            AccountsDb db,
            String parent,
            List<String> accounts,
            List<String> users,
            String cluster,
            String qos,
            List<Row> out) {
        for (AccountsDb.Account a : db.accounts()) {
            if (parent == null ? a.parent() != null : !parent.equals(a.parent())) continue;
            boolean shown = accounts.isEmpty() || accounts.contains(a.name());
            if (shown && users == null)
                out.add(new Row(
                        cluster, a.name(), "", "", "", parent(a), a.shares(), "", "", null, 0, qos, a.limits()));
            for (AccountsDb.Assoc s : db.assocs()) {
                if (!s.account().equals(a.name()) || !shown || (users != null && !users.contains(s.user()))) continue;
                out.add(new Row(
                        cluster, a.name(), s.user(), "", "", "", s.shares(), "", "", null, 0, qos, shownLimits(db, s)));
            }
            tree(db, a.name(), accounts, users, cluster, qos, out);
        }
    }

    /** A user's association shows the per-user limits it inherits, as sacctmgr shows parent limits. */
    private static AssocLimits shownLimits(AccountsDb db, AccountsDb.Assoc s) {
        AssocLimits l = s.limits();
        for (AccountsDb.Account a : db.ancestry(s.account())) {
            AssocLimits up = a.limits();
            if (l.maxJobs() < 0) l = l.withMaxJobs(up.maxJobs());
            if (l.maxSubmitJobs() < 0) l = l.withMaxSubmitJobs(up.maxSubmitJobs());
            if (l.maxWallSeconds() < 0) l = l.withMaxWall(up.maxWallSeconds());
        }
        return l;
    }

    private static String parent(AccountsDb.Account a) {
        return a.parent() == null ? AccountsDb.ROOT : a.parent();
    }

    /** Every job may use every QOS in Motley: normal and each one added. */
    private static String allQos(AccountsDb db) {
        List<String> names = new ArrayList<>();
        names.add("normal");
        for (AccountsDb.Qos q : db.qos()) if (!names.contains(q.name())) names.add(q.name());
        names.sort(null);
        return String.join(",", names);
    }

    private static final String HELP = """
            Usage: sacctmgr [-i] [-n] [-p|-P] COMMAND ENTITY [NAMES] [where CONDITIONS] [set SETTINGS]
              add|create       account NAME [Description= Organization= Parent= Fairshare= LIMITS]
                               user NAME Account=A[,B] [DefaultAccount= AdminLevel= Fairshare= LIMITS]
                               qos NAME [Description= Priority=]
              modify|update    account|user|qos [NAMES] [where Name= Account=] set SETTINGS
              delete|remove    account|user|qos NAMES [where Account=]
              list|show        account|user|assoc|qos|cluster [NAMES] [where ...] [format=FIELD[%WIDTH],...]
              LIMITS: MaxJobs= MaxSubmitJobs= MaxWall= GrpTRES=cpu=N,mem=SIZE,gres/gpu=N (-1 clears one)
              AdminLevel: None, Operator, Administrator (may change accounts, users, QOS and limits, as root may)
              -i, --immediate   commit without asking
              -n, --noheader    no header line
              -s, --associations  with list user: the user's associations, one line each
              -p, --parsable    '|' after every field;  -P, --parsable2  '|' between fields
            Motley keeps one cluster, no coordinators, wckeys, per-partition associations or QOS limits;
            see docs/accounts.md.""";
}
