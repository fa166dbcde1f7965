package io.motley.protocol;

import io.motley.core.accounts.AccountsChange;
import io.motley.core.accounts.AccountsDb;
import io.motley.core.accounts.AssocLimits;
import io.motley.core.accounts.Sacctmgr;
import io.motley.core.accounts.Tres;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * sacctmgr's and sreport's requests on the wire ({@link Ops#ACCOUNTS}, {@link Ops#ACCOUNTS_CHANGE}):
 * one encode and one decode for each, apart from {@link Codec} so that the typed messages can take
 * them over whole.
 */
public final class AccountsCodec {
    private AccountsCodec() {}

    private static final char SEP = ',';

    /** sacctmgr add/modify/delete; {@code commit} false asks only what would change (sacctmgr without -i). */
    public static Frame change(Sacctmgr.Request r, boolean commit) {
        Frame f = Frame.op(Ops.ACCOUNTS_CHANGE)
                .put("verb", r.verb().name())
                .put("entity", r.entity().name())
                .put("names", String.join(",", r.names()))
                .put("commit", commit);
        f.add(pairs("where", r.where()));
        f.add(pairs("set", r.set()));
        return f;
    }

    public static Sacctmgr.Request change(Frame f) {
        List<String> names = new ArrayList<>();
        for (String n : f.str("names", "").split(String.valueOf(SEP))) if (!n.isEmpty()) names.add(n);
        Map<String, String> where = new LinkedHashMap<>();
        Map<String, String> set = new LinkedHashMap<>();
        for (Frame c : f.children()) {
            Map<String, String> into = "set".equals(c.op()) ? set : "where".equals(c.op()) ? where : null;
            if (into == null) continue;
            c.fields().forEach((k, v) -> {
                if (!k.equals("op")) into.put(k, v);
            });
        }
        return new Sacctmgr.Request(
                Sacctmgr.Verb.valueOf(f.str("verb", "")),
                Sacctmgr.Entity.valueOf(f.str("entity", "")),
                names,
                where,
                set,
                List.of());
    }

    private static Frame pairs(String op, Map<String, String> map) {
        Frame f = Frame.op(op);
        map.forEach(f::put);
        return f;
    }

    /** What a change printed and whether it changed the database. */
    public static Frame result(AccountsChange.Result r) {
        return Frame.op(Ops.OK).put("out", r.out()).put("err", r.err()).put("changed", r.changed());
    }

    public static AccountsChange.Result result(Frame f) {
        return new AccountsChange.Result(null, f.str("out", ""), f.str("err", ""), f.bool("changed"));
    }

    /** The whole database, for sacctmgr list and sreport. */
    public static Frame db(AccountsDb db, String cluster) {
        Frame out = Frame.op(Ops.OK).put("cluster", cluster);
        for (AccountsDb.Account a : db.accounts()) {
            out.add(limits(
                    Frame.op("account")
                            .put("name", a.name())
                            .put("description", a.description())
                            .put("organization", a.organization())
                            .put("parent", a.parent())
                            .put("shares", a.shares()),
                    a.limits()));
        }
        for (AccountsDb.User u : db.users()) {
            out.add(Frame.op("user")
                    .put("name", u.name())
                    .put("default", u.defaultAccount())
                    .put("admin", u.adminLevel().name()));
        }
        for (AccountsDb.Assoc a : db.assocs()) {
            out.add(limits(
                    Frame.op("assoc")
                            .put("account", a.account())
                            .put("user", a.user())
                            .put("shares", a.shares()),
                    a.limits()));
        }
        for (AccountsDb.Qos q : db.qos()) {
            out.add(Frame.op("qos")
                    .put("name", q.name())
                    .put("description", q.description())
                    .put("priority", q.priority()));
        }
        return out;
    }

    public static AccountsDb db(Frame f) {
        List<AccountsDb.Account> accounts = new ArrayList<>();
        List<AccountsDb.User> users = new ArrayList<>();
        List<AccountsDb.Assoc> assocs = new ArrayList<>();
        List<AccountsDb.Qos> qos = new ArrayList<>();
        for (Frame c : f.children()) {
            switch (c.op()) {
                case "account" ->
                    accounts.add(new AccountsDb.Account(
                            c.str("name"),
                            c.str("description", ""),
                            c.str("organization", ""),
                            c.str("parent"),
                            c.lng("shares", 1),
                            limits(c)));
                case "user" ->
                    users.add(new AccountsDb.User(
                            c.str("name"), c.str("default"), AccountsDb.AdminLevel.valueOf(c.str("admin", "None"))));
                case "assoc" ->
                    assocs.add(new AccountsDb.Assoc(c.str("account"), c.str("user"), c.lng("shares", 1), limits(c)));
                case "qos" ->
                    qos.add(new AccountsDb.Qos(c.str("name"), c.str("description", ""), c.lng("priority", 0)));
                default -> {}
            }
        }
        return new AccountsDb(accounts, users, assocs, qos);
    }

    private static Frame limits(Frame f, AssocLimits l) {
        return f.put("maxJobs", l.maxJobs())
                .put("maxSubmit", l.maxSubmitJobs())
                .put("maxWall", l.maxWallSeconds())
                .put("grpCpu", l.grpTres().cpu())
                .put("grpMem", l.grpTres().memMiB())
                .put("grpGpus", l.grpTres().gpus());
    }

    private static AssocLimits limits(Frame f) {
        return new AssocLimits(
                f.lng("maxJobs", -1),
                f.lng("maxSubmit", -1),
                f.lng("maxWall", -1),
                new Tres(f.lng("grpCpu", -1), f.lng("grpMem", -1), f.lng("grpGpus", -1)));
    }
}
