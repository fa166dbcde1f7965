package io.motley.cli.command;

import static io.motley.cli.format.Cells.cut;
import static io.motley.cli.format.Cells.justify;

import io.motley.core.options.GetOpt;
import io.motley.core.options.OptionSpec;
import io.motley.core.priority.ShareTree;
import io.motley.protocol.Message.Shares;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * sshare: accounts' and users' shares, decayed usage and fair-share factors, in Slurm 22.05's
 * classic (PriorityFlags=NO_FAIR_TREE) layout: fixed-width fields, names left-justified, figures
 * right-justified, a dashed line under the header. Without -a or -u only the caller's user rows
 * are shown beside every account, as sshare does.
 */
public final class Sshare implements Command {
    /** A field: its header, its width (negative: left-justified) and how to read it from a row. */
    record Field(String name, int width, java.util.function.Function<ShareTree.Row, String> value) {}

    static final Field ACCOUNT = new Field("Account", -20, Sshare::account);
    static final Field USER = new Field("User", 10, r -> r.user());
    static final Field RAW_SHARES =
            new Field("RawShares", 10, r -> r.rawShares() < 0 ? null : Long.toString(r.rawShares()));
    static final Field NORM_SHARES = new Field("NormShares", 11, r -> decimal(r.normShares()));
    static final Field RAW_USAGE = new Field("RawUsage", 11, r -> Long.toString((long) r.rawUsage()));
    static final Field NORM_USAGE = new Field("NormUsage", 11, r -> decimal(r.normUsage()));
    static final Field EFFECTIVE = new Field("EffectvUsage", 13, r -> decimal(r.effectiveUsage()));
    static final Field FAIR_SHARE = new Field("FairShare", 10, r -> decimal(r.fairShare()));
    // Motley has no GrpTRESMins limits and does not keep running TRES-minutes: -l shows them empty
    static final Field GRP_TRES_MINS = new Field("GrpTRESMins", 30, r -> null);
    static final Field TRES_RUN_MINS = new Field("TRESRunMins", 30, r -> null);

    static final List<Field> DEFAULT =
            List.of(ACCOUNT, USER, RAW_SHARES, NORM_SHARES, RAW_USAGE, EFFECTIVE, FAIR_SHARE);
    static final List<Field> LONG = List.of(
            ACCOUNT,
            USER,
            RAW_SHARES,
            NORM_SHARES,
            RAW_USAGE,
            NORM_USAGE,
            EFFECTIVE,
            FAIR_SHARE,
            GRP_TRES_MINS,
            TRES_RUN_MINS);

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.flag('a', "all"),
            OptionSpec.value('A', "accounts"),
            OptionSpec.value('u', "users"),
            OptionSpec.flag('U', "Users"),
            OptionSpec.flag('l', "long"),
            OptionSpec.flag('n', "noheader"),
            OptionSpec.flag('p', "parsable"),
            OptionSpec.flag('P', "parsable2"),
            OptionSpec.flag('v', "verbose"),
            OptionSpec.flag('h', "help"),
            OptionSpec.flag('\0', "usage"),
            OptionSpec.flag('V', "version"));

    @Override
    public int run(List<String> args, Io io) throws Exception {
        GetOpt.Parsed p = new GetOpt("sshare", OPTIONS, false).parse(args);
        if (Command.helpOrVersion(p, io, HELP)) return 0;
        Set<String> users = new HashSet<>();
        users.addAll(p.listAll("users"));
        if (users.isEmpty() && !p.has("all")) users.add(io.userName());
        Set<String> accounts = new HashSet<>();
        accounts.addAll(p.listAll("accounts"));

        List<ShareTree.Row> rows = new ArrayList<>();
        for (ShareTree.Row r : io.gateway().ask(new Shares()).rows()) {
            if (r.isUser() && !p.has("all") && !users.contains(r.user())) continue;
            if (!r.isUser() && p.has("Users")) continue;
            if (!accounts.isEmpty() && !accounts.contains(r.account())) continue;
            rows.add(r);
        }
        List<Field> fields = p.has("long") ? LONG : DEFAULT;
        String delimiter = p.has("parsable") || p.has("parsable2") ? "|" : null;
        boolean ending = p.has("parsable");
        StringBuilder out = new StringBuilder();
        if (!p.has("noheader")) header(out, fields, delimiter, ending);
        for (ShareTree.Row r : rows) line(out, fields, r, delimiter, ending);
        io.out().print(out);
        return 0;
    }

    static void header(StringBuilder out, List<Field> fields, String delimiter, boolean ending) {
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (delimiter != null) {
                out.append(f.name());
                if (ending || i < fields.size() - 1) out.append(delimiter);
            } else {
                out.append(justify(cut(f.name(), Math.abs(f.width())), f.width()))
                        .append(' ');
            }
        }
        out.append('\n');
        if (delimiter != null) return;
        for (Field f : fields) out.append("-".repeat(Math.abs(f.width()))).append(' ');
        out.append('\n');
    }

    static void line(StringBuilder out, List<Field> fields, ShareTree.Row r, String delimiter, boolean ending) {
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            String v = f.value().apply(r);
            if (delimiter != null) {
                out.append(v == null ? "" : v);
                if (ending || i < fields.size() - 1) out.append(delimiter);
                continue;
            }
            int abs = Math.abs(f.width());
            // a name too long for its field ends in '+', as Slurm's print_fields does
            String shown = v == null ? "" : v.length() > abs ? v.substring(0, abs - 1) + "+" : v;
            out.append(justify(shown, f.width())).append(' ');
        }
        out.append('\n');
    }

    /** The account column: the name indented by its depth in the tree (a user row shows its account one deeper). */
    private static String account(ShareTree.Row r) {
        return " ".repeat(r.depth()) + r.account();
    }

    private static String decimal(double v) {
        return String.format(Locale.ROOT, "%f", v);
    }

    private static final String HELP = """
            Usage: sshare [OPTIONS]
              -a, --all             every user's rows (default: yours, beside every account)
              -A, --accounts=LIST   only these accounts
              -u, --users=LIST      these users' rows
              -U, --Users           user rows only
              -l, --long            also NormUsage, GrpTRESMins and TRESRunMins (the last two empty in Motley)
              -n, --noheader        no header
              -p, --parsable        '|' after every field;  -P, --parsable2  '|' between fields
            Usage is CPU-seconds (plus GPU-seconds when TRESBillingWeights bills GPUs), decayed with
            PriorityDecayHalfLife; shares come from AccountName=/UserName= lines in motley.conf.
            The fair-share factor is Slurm's classic one (PriorityFlags=NO_FAIR_TREE); Fair Tree is not implemented.""";
}
