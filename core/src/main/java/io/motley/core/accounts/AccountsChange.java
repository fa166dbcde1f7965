package io.motley.core.accounts;

import io.motley.core.accounts.AccountsDb.Account;
import io.motley.core.accounts.AccountsDb.AdminLevel;
import io.motley.core.accounts.AccountsDb.Assoc;
import io.motley.core.accounts.AccountsDb.Qos;
import io.motley.core.accounts.AccountsDb.User;
import io.motley.core.accounts.Sacctmgr.Request;
import io.motley.core.time.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * sacctmgr's add, modify and delete applied to the database, pure: the new database and what
 * sacctmgr prints, in its words ({@code  Adding Account(s)}, {@code  Modified user associations...},
 * {@code  Nothing deleted}). An error leaves the database as it was.
 */
public final class AccountsChange {
    private AccountsChange() {}

    /** The database after the change ({@code db} itself when nothing changed), and what to print. */
    public record Result(AccountsDb db, String out, String err, boolean changed) {
        static Result error(AccountsDb db, String err) {
            return new Result(db, "", err, false);
        }
    }

    private static final Set<String> ACCOUNT_KEYS = Set.of(
            "Description",
            "Organization",
            "Parent",
            "Fairshare",
            "MaxJobs",
            "MaxSubmitJobs",
            "MaxWall",
            "GrpTRES",
            "Cluster");
    private static final Set<String> USER_KEYS = Set.of(
            "Account",
            "DefaultAccount",
            "AdminLevel",
            "Fairshare",
            "MaxJobs",
            "MaxSubmitJobs",
            "MaxWall",
            "GrpTRES",
            "Cluster",
            "Partition");
    private static final Set<String> QOS_KEYS = Set.of("Description", "Priority");

    public static Result apply(AccountsDb db, Request r, String cluster) {
        try {
            return switch (r.verb()) {
                case ADD ->
                    switch (r.entity()) {
                        case ACCOUNT -> addAccounts(db, r, cluster);
                        case USER -> addUsers(db, r, cluster);
                        case QOS -> addQos(db, r);
                        default -> Result.error(db, " Motley adds accounts, users and QOS; not " + word(r));
                    };
                case MODIFY ->
                    switch (r.entity()) {
                        case ACCOUNT -> modifyAccounts(db, r, cluster);
                        case USER -> modifyUsers(db, r, cluster);
                        case QOS -> modifyQos(db, r);
                        default -> Result.error(db, " Motley modifies accounts, users and QOS; not " + word(r));
                    };
                case DELETE ->
                    switch (r.entity()) {
                        case ACCOUNT -> deleteAccounts(db, r, cluster);
                        case USER -> deleteUsers(db, r, cluster);
                        case QOS -> deleteQos(db, r);
                        default -> Result.error(db, " Motley deletes accounts, users and QOS; not " + word(r));
                    };
                case LIST -> Result.error(db, " list changes nothing");
            };
        } catch (IllegalArgumentException e) {
            return Result.error(db, e.getMessage().startsWith(" ") ? e.getMessage() : " " + e.getMessage());
        }
    }

    private static String word(Request r) {
        return r.entity().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static void allowed(Map<String, String> keys, Set<String> allowed) {
        for (String k : keys.keySet()) {
            if (!allowed.contains(k)) throw new IllegalArgumentException(" Unknown option: " + k);
        }
    }

    private static void cluster(Map<String, String> keys, String cluster) {
        String c = keys.get("Cluster");
        if (c != null && !c.equals(cluster))
            throw new IllegalArgumentException(
                    " Motley holds one cluster, " + cluster + "; there is no cluster '" + c + "'");
    }

    // ---- add --------------------------------------------------------------------------------

    private static Result addAccounts(AccountsDb db, Request r, String cluster) {
        allowed(r.set(), ACCOUNT_KEYS);
        cluster(r.set(), cluster);
        if (r.names().isEmpty()) return Result.error(db, " Need name of account to add.");
        String parent = r.set().getOrDefault("Parent", AccountsDb.ROOT);
        if (!parent.equals(AccountsDb.ROOT) && db.account(parent).isEmpty()) {
            return Result.error(
                    db,
                    " Parent account '" + parent + "' doesn't exist on cluster " + cluster
                            + "\n        Contact your admin to add this account.");
        }
        long shares = r.set().containsKey("Fairshare") ? shares(r.set().get("Fairshare")) : 1;
        AssocLimits limits = Sacctmgr.limits(r.set(), AssocLimits.NONE);
        List<Account> added = new ArrayList<>();
        for (String name : r.names()) {
            if (name.equals(AccountsDb.ROOT) || db.account(name).isPresent()) continue;
            String description = r.set().getOrDefault("Description", name);
            String org = r.set().getOrDefault("Organization", parent.equals(AccountsDb.ROOT) ? name : parent);
            added.add(new Account(
                    name, description, org, parent.equals(AccountsDb.ROOT) ? null : parent, shares, limits));
        }
        if (added.isEmpty()) return new Result(db, " Nothing new added.\n", "", false);
        StringBuilder out = new StringBuilder(" Adding Account(s)\n");
        for (Account a : added) out.append("  ").append(a.name()).append('\n');
        out.append(" Settings\n");
        out.append("  Description     = ")
                .append(r.set().getOrDefault("Description", "Account Name"))
                .append('\n');
        out.append("  Organization    = ")
                .append(r.set().getOrDefault("Organization", "Parent/Account Name"))
                .append('\n');
        out.append(" Associations\n");
        for (Account a : added) {
            out.append(String.format("  A = %-10.10s C = %-10.10s%n", a.name(), cluster));
        }
        if (Sacctmgr.setsLimits(r.set())) {
            out.append(" Settings\n");
            printLimits(out, r.set(), limits);
        }
        List<Account> accounts = new ArrayList<>(db.accounts());
        accounts.addAll(added);
        return new Result(new AccountsDb(accounts, db.users(), db.assocs(), db.qos()), out.toString(), "", true);
    }

    private static Result addUsers(AccountsDb db, Request r, String cluster) {
        allowed(r.set(), USER_KEYS);
        cluster(r.set(), cluster);
        if (r.set().containsKey("Partition"))
            throw new IllegalArgumentException(" Motley keeps no per-partition associations");
        if (r.names().isEmpty()) return Result.error(db, " Need name of user to add.");
        List<String> accounts = new ArrayList<>();
        for (String a : r.set().getOrDefault("Account", "").split(",")) if (!a.isBlank()) accounts.add(a.strip());
        String def = r.set().get("DefaultAccount");
        if (accounts.isEmpty() && def != null) accounts.add(def);
        if (accounts.isEmpty()) return Result.error(db, " Need name of account to add user to.");
        for (String a : accounts) {
            if (db.account(a).isEmpty()) {
                return Result.error(
                        db,
                        " This account '" + a + "' doesn't exist.\n        Contact your admin to add this account.");
            }
        }
        if (def != null && !accounts.contains(def))
            return Result.error(db, " Default account '" + def + "' is not among the accounts given (Account=).");
        AdminLevel level =
                r.set().containsKey("AdminLevel") ? AdminLevel.parse(r.set().get("AdminLevel")) : AdminLevel.None;
        long shares = r.set().containsKey("Fairshare") ? shares(r.set().get("Fairshare")) : 1;
        AssocLimits limits = Sacctmgr.limits(r.set(), AssocLimits.NONE);
        List<User> users = new ArrayList<>(db.users());
        List<Assoc> assocs = new ArrayList<>(db.assocs());
        StringBuilder newUsers = new StringBuilder();
        StringBuilder newAssocs = new StringBuilder();
        for (String name : r.names()) {
            if (db.user(name).isEmpty()) {
                users.add(new User(name, def != null ? def : accounts.get(0), level));
                newUsers.append("  ").append(name).append('\n');
            }
            for (String a : accounts) {
                if (db.assoc(a, name).isPresent()) continue;
                assocs.add(new Assoc(a, name, shares, limits));
                newAssocs.append(String.format("  U = %-9.9s A = %-10.10s C = %-10.10s%n", name, a, cluster));
            }
        }
        if (newUsers.isEmpty() && newAssocs.isEmpty()) return new Result(db, " Nothing new added.\n", "", false);
        StringBuilder out = new StringBuilder();
        if (!newUsers.isEmpty()) {
            out.append(" Adding User(s)\n").append(newUsers);
            out.append(" Settings =\n");
            out.append("  Default Account = ")
                    .append(def != null ? def : accounts.get(0))
                    .append('\n');
            if (r.set().containsKey("AdminLevel"))
                out.append("  Admin Level     = ").append(level).append('\n');
        }
        out.append(" Associations =\n").append(newAssocs);
        if (Sacctmgr.setsLimits(r.set())) {
            out.append(" Non Default Settings\n");
            printLimits(out, r.set(), limits);
        }
        return new Result(new AccountsDb(db.accounts(), users, assocs, db.qos()), out.toString(), "", true);
    }

    private static Result addQos(AccountsDb db, Request r) {
        allowed(r.set(), QOS_KEYS);
        if (r.names().isEmpty()) return Result.error(db, " Need name of qos to add.");
        long priority = r.set().containsKey("Priority")
                ? Sacctmgr.count("Priority", r.set().get("Priority"))
                : 0;
        List<Qos> qos = new ArrayList<>(db.qos());
        StringBuilder names = new StringBuilder();
        for (String name : r.names()) {
            if (db.qos(name).isPresent() || qos.stream().anyMatch(q -> q.name().equals(name))) continue;
            qos.add(new Qos(name, r.set().getOrDefault("Description", name), Math.max(0, priority)));
            names.append("  ").append(name).append('\n');
        }
        if (names.isEmpty()) return new Result(db, " Nothing new added.\n", "", false);
        StringBuilder out = new StringBuilder(" Adding QOS(s)\n").append(names).append(" Settings\n");
        out.append("  Description    = ")
                .append(r.set().getOrDefault("Description", "QOS Name"))
                .append('\n');
        if (r.set().containsKey("Priority"))
            out.append("  Priority                 = ").append(priority).append('\n');
        return new Result(new AccountsDb(db.accounts(), db.users(), db.assocs(), qos), out.toString(), "", true);
    }

    // ---- modify -----------------------------------------------------------------------------

    private static Result modifyAccounts(AccountsDb db, Request r, String cluster) {
        allowed(r.set(), ACCOUNT_KEYS);
        cluster(r.where(), cluster);
        if (r.set().isEmpty()) return Result.error(db, " You didn't give me anything to set");
        List<String> names = new ArrayList<>(r.names());
        if (r.where().containsKey("Name")) names.add(r.where().get("Name"));
        String parent = r.set().get("Parent");
        if (parent != null
                && !parent.equals(AccountsDb.ROOT)
                && db.account(parent).isEmpty())
            return Result.error(db, " Parent Account " + parent + " doesn't exist.");
        List<Account> accounts = new ArrayList<>();
        StringBuilder plain = new StringBuilder();
        StringBuilder assoc = new StringBuilder();
        for (Account a : db.accounts()) {
            if (!names.isEmpty() && !names.contains(a.name())) {
                accounts.add(a);
                continue;
            }
            Account n = new Account(
                    a.name(),
                    r.set().getOrDefault("Description", a.description()),
                    r.set().getOrDefault("Organization", a.organization()),
                    parent == null ? a.parent() : parent.equals(AccountsDb.ROOT) ? null : parent,
                    r.set().containsKey("Fairshare") ? shares(r.set().get("Fairshare")) : a.shares(),
                    Sacctmgr.limits(r.set(), a.limits()));
            if (parent != null
                    && db.ancestry(parent).stream().anyMatch(x -> x.name().equals(a.name())))
                return Result.error(db, " Account " + a.name() + " can not be its own ancestor");
            accounts.add(n);
            if (r.set().containsKey("Description") || r.set().containsKey("Organization"))
                plain.append("  ").append(a.name()).append('\n');
            if (Sacctmgr.setsLimits(r.set()) || parent != null)
                assoc.append(String.format("  C = %-10s A = %s%n", cluster, a.name()));
        }
        if (plain.isEmpty() && assoc.isEmpty()) return new Result(db, "  Nothing modified\n", "", false);
        StringBuilder out = new StringBuilder();
        if (!plain.isEmpty()) out.append(" Modified accounts...\n").append(plain);
        if (!assoc.isEmpty()) out.append(" Modified account associations...\n").append(assoc);
        return new Result(new AccountsDb(accounts, db.users(), db.assocs(), db.qos()), out.toString(), "", true);
    }

    private static Result modifyUsers(AccountsDb db, Request r, String cluster) {
        allowed(r.set(), USER_KEYS);
        cluster(r.where(), cluster);
        if (r.set().isEmpty()) return Result.error(db, " You didn't give me anything to set");
        if (r.set().containsKey("Account"))
            throw new IllegalArgumentException(" Account= is a condition (where), not a setting; "
                    + "add an association with 'sacctmgr add user NAME account=ACCOUNT'");
        List<String> names = new ArrayList<>(r.names());
        if (r.where().containsKey("Name")) names.add(r.where().get("Name"));
        if (r.where().containsKey("User")) names.add(r.where().get("User"));
        String inAccount = r.where().get("Account");
        String def = r.set().get("DefaultAccount");
        AdminLevel level =
                r.set().containsKey("AdminLevel") ? AdminLevel.parse(r.set().get("AdminLevel")) : null;
        List<User> users = new ArrayList<>();
        StringBuilder plain = new StringBuilder();
        for (User u : db.users()) {
            boolean picked = names.isEmpty() || names.contains(u.name());
            if (!picked || (def == null && level == null)) {
                users.add(u);
                continue;
            }
            if (def != null && db.assoc(def, u.name()).isEmpty()) {
                return Result.error(
                        db,
                        " User " + u.name() + " has no association with account " + def
                                + "; add it first with 'sacctmgr add user " + u.name() + " account=" + def + "'");
            }
            users.add(
                    new User(u.name(), def == null ? u.defaultAccount() : def, level == null ? u.adminLevel() : level));
            plain.append("  ").append(u.name()).append('\n');
        }
        List<Assoc> assocs = new ArrayList<>();
        StringBuilder assoc = new StringBuilder();
        boolean limits = Sacctmgr.setsLimits(r.set());
        for (Assoc a : db.assocs()) {
            boolean picked = (names.isEmpty() || names.contains(a.user()))
                    && (inAccount == null || inAccount.equals(a.account()));
            if (!picked || !limits) {
                assocs.add(a);
                continue;
            }
            assocs.add(new Assoc(
                    a.account(),
                    a.user(),
                    r.set().containsKey("Fairshare") ? shares(r.set().get("Fairshare")) : a.shares(),
                    Sacctmgr.limits(r.set(), a.limits())));
            assoc.append(String.format("  C = %-10s A = %-20s U = %-9s%n", cluster, a.account(), a.user()));
        }
        if (plain.isEmpty() && assoc.isEmpty()) return new Result(db, "  Nothing modified\n", "", false);
        StringBuilder out = new StringBuilder();
        if (!plain.isEmpty()) out.append(" Modified users...\n").append(plain);
        if (!assoc.isEmpty()) out.append(" Modified user associations...\n").append(assoc);
        return new Result(new AccountsDb(db.accounts(), users, assocs, db.qos()), out.toString(), "", true);
    }

    private static Result modifyQos(AccountsDb db, Request r) {
        allowed(r.set(), QOS_KEYS);
        if (r.set().isEmpty()) return Result.error(db, " You didn't give me anything to set");
        List<String> names = new ArrayList<>(r.names());
        if (r.where().containsKey("Name")) names.add(r.where().get("Name"));
        List<Qos> qos = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        for (Qos q : db.qos()) {
            if (!names.isEmpty() && !names.contains(q.name())) {
                qos.add(q);
                continue;
            }
            qos.add(new Qos(
                    q.name(),
                    r.set().getOrDefault("Description", q.description()),
                    r.set().containsKey("Priority")
                            ? Math.max(0, Sacctmgr.count("Priority", r.set().get("Priority")))
                            : q.priority()));
            out.append("  ").append(q.name()).append('\n');
        }
        if (out.isEmpty()) return new Result(db, " Nothing modified\n", "", false);
        return new Result(
                new AccountsDb(db.accounts(), db.users(), db.assocs(), qos), " Modified qos...\n" + out, "", true);
    }

    // ---- delete -----------------------------------------------------------------------------

    private static Result deleteAccounts(AccountsDb db, Request r, String cluster) {
        cluster(r.where(), cluster);
        List<String> names = new ArrayList<>(r.names());
        if (names.isEmpty()) return Result.error(db, " No conditions given to remove, not executing.");
        if (names.contains(AccountsDb.ROOT))
            return Result.error(db, " You are not allowed to remove the root account.");
        for (Account a : db.accounts()) {
            if (a.parent() != null && names.contains(a.parent()) && !names.contains(a.name())) {
                return Result.error(
                        db,
                        " Error with request: Account " + a.parent() + " has sub-account " + a.name()
                                + "; delete or move that first");
            }
        }
        List<Account> accounts = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        for (Account a : db.accounts()) {
            if (names.contains(a.name())) out.append("  ").append(a.name()).append('\n');
            else accounts.add(a);
        }
        if (out.isEmpty()) return new Result(db, " Nothing deleted\n", "", false);
        List<Assoc> assocs =
                db.assocs().stream().filter(s -> !names.contains(s.account())).toList();
        List<User> users = defaultsAfter(db.users(), assocs);
        return new Result(new AccountsDb(accounts, users, assocs, db.qos()), " Deleting accounts...\n" + out, "", true);
    }

    private static Result deleteUsers(AccountsDb db, Request r, String cluster) {
        cluster(r.where(), cluster);
        List<String> names = new ArrayList<>(r.names());
        if (r.where().containsKey("Name")) names.add(r.where().get("Name"));
        if (names.isEmpty()) return Result.error(db, " No conditions given to remove, not executing.");
        String inAccount = r.where().get("Account");
        StringBuilder out = new StringBuilder();
        List<Assoc> assocs = new ArrayList<>();
        List<User> users = new ArrayList<>(db.users());
        if (inAccount == null) {
            for (User u : db.users())
                if (names.contains(u.name())) out.append("  ").append(u.name()).append('\n');
            users.removeIf(u -> names.contains(u.name()));
            for (Assoc a : db.assocs()) if (!names.contains(a.user())) assocs.add(a);
            if (out.isEmpty()) return new Result(db, " Nothing deleted\n", "", false);
            return new Result(
                    new AccountsDb(db.accounts(), users, assocs, db.qos()), " Deleting users...\n" + out, "", true);
        }
        for (Assoc a : db.assocs()) {
            if (names.contains(a.user()) && a.account().equals(inAccount)) {
                out.append(String.format("  C = %-10s A = %-10s U = %-9s%n", cluster, a.account(), a.user()));
            } else {
                assocs.add(a);
            }
        }
        if (out.isEmpty()) return new Result(db, " Nothing deleted\n", "", false);
        return new Result(
                new AccountsDb(db.accounts(), defaultsAfter(users, assocs), assocs, db.qos()),
                " Deleting user associations...\n" + out,
                "",
                true);
    }

    private static Result deleteQos(AccountsDb db, Request r) {
        List<String> names = new ArrayList<>(r.names());
        if (names.isEmpty()) return Result.error(db, " No conditions given to remove, not executing.");
        StringBuilder out = new StringBuilder();
        List<Qos> qos = new ArrayList<>();
        for (Qos q : db.qos()) {
            if (names.contains(q.name())) out.append("  ").append(q.name()).append('\n');
            else qos.add(q);
        }
        if (out.isEmpty()) return new Result(db, " Nothing deleted\n", "", false);
        return new Result(
                new AccountsDb(db.accounts(), db.users(), db.assocs(), qos), " Deleting QOS(s)...\n" + out, "", true);
    }

    /** Users whose default account lost its association get their first remaining one (none: none). */
    private static List<User> defaultsAfter(List<User> users, List<Assoc> assocs) {
        List<User> out = new ArrayList<>();
        for (User u : users) {
            boolean kept = u.defaultAccount() != null
                    && assocs.stream()
                            .anyMatch(a ->
                                    a.user().equals(u.name()) && a.account().equals(u.defaultAccount()));
            if (kept) {
                out.add(u);
                continue;
            }
            String next = assocs.stream()
                    .filter(a -> a.user().equals(u.name()))
                    .map(Assoc::account)
                    .findFirst()
                    .orElse(null);
            out.add(new User(u.name(), next, u.adminLevel()));
        }
        return out;
    }

    // ---- printing ---------------------------------------------------------------------------

    static long shares(String v) {
        if (v.equalsIgnoreCase("parent")) throw new IllegalArgumentException(" Motley has no Fairshare=parent");
        long n = Sacctmgr.count("Fairshare", v);
        return n < 0 ? 1 : n;
    }

    /** The limits a command set, in the order and words of sacctmgr_print_assoc_limits. */
    private static void printLimits(StringBuilder out, Map<String, String> set, AssocLimits l) {
        if (set.containsKey("Fairshare"))
            out.append("  Fairshare     = ")
                    .append(shares(set.get("Fairshare")))
                    .append('\n');
        if (set.containsKey("GrpTRES"))
            out.append("  GrpTRES       = ").append(l.grpTres().format()).append('\n');
        if (set.containsKey("MaxJobs"))
            out.append("  MaxJobs       = ").append(none(l.maxJobs())).append('\n');
        if (set.containsKey("MaxSubmitJobs"))
            out.append("  MaxSubmitJobs = ").append(none(l.maxSubmitJobs())).append('\n');
        if (set.containsKey("MaxWall"))
            out.append("  MaxWall       = ")
                    .append(l.maxWallSeconds() < 0 ? "NONE" : Durations.formatFixed(l.maxWallSeconds()))
                    .append('\n');
    }

    private static String none(long v) {
        return v < 0 ? "NONE" : Long.toString(v);
    }
}
