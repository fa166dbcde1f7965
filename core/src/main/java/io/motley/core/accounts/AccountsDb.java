package io.motley.core.accounts;

import io.motley.core.priority.Associations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What sacctmgr keeps in Slurm's database, as Motley's store holds it: accounts (in a tree under
 * the implicit {@code root}), users with their default account and admin level, the associations
 * of users with accounts, each with its shares and limits, and the QOS. An immutable value: every
 * change makes a new one.
 */
public record AccountsDb(List<Account> accounts, List<User> users, List<Assoc> assocs, List<Qos> qos) {

    /** An account and its own association: parent (null: under root), raw shares and limits. */
    public record Account(
            String name, String description, String organization, String parent, long shares, AssocLimits limits) {}

    /** A user: the account a job without -A is charged to, and who may change the database. */
    public record User(String name, String defaultAccount, AdminLevel adminLevel) {}

    /** A user's association with an account: the user may charge it, with these shares and limits. */
    public record Assoc(String account, String user, long shares, AssocLimits limits) {}

    /** A quality of service. */
    public record Qos(String name, String description, long priority) {}

    /** Slurm's AdminLevel: Operator and Administrator may change accounts, users, QOS and limits. */
    public enum AdminLevel {
        None,
        Operator,
        Administrator;

        public static AdminLevel parse(String s) {
            for (AdminLevel a : values()) {
                if (a.name().equalsIgnoreCase(s)) return a;
            }
            if (s.equalsIgnoreCase("Admin")) return Administrator;
            throw new IllegalArgumentException("Invalid AdminLevel '" + s + "': use None, Operator or Administrator");
        }
    }

    public static final String ROOT = "root";

    public AccountsDb {
        accounts = List.copyOf(accounts);
        users = List.copyOf(users);
        assocs = List.copyOf(assocs);
        qos = List.copyOf(qos);
    }

    public static AccountsDb empty() {
        return new AccountsDb(List.of(), List.of(), List.of(), List.of());
    }

    public Optional<Account> account(String name) {
        return accounts.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    public Optional<User> user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    public Optional<Assoc> assoc(String account, String user) {
        return assocs.stream()
                .filter(a -> a.account().equals(account) && a.user().equals(user))
                .findFirst();
    }

    public Optional<Qos> qos(String name) {
        return qos.stream().filter(q -> q.name().equals(name)).findFirst();
    }

    /** Whether {@code user} may change the database: root always, and users with AdminLevel Operator or above. */
    public boolean mayAdminister(String user, boolean isRoot) {
        return isRoot || user(user).map(u -> u.adminLevel() != AdminLevel.None).orElse(false);
    }

    /** The account's ancestors, nearest first (root not included). */
    public List<Account> ancestry(String account) {
        List<Account> out = new ArrayList<>();
        String name = account;
        while (name != null && out.size() <= accounts.size()) {
            Optional<Account> a = account(name);
            if (a.isEmpty()) break;
            out.add(a.get());
            name = a.get().parent();
        }
        return out;
    }

    /**
     * motley.conf's AccountName=, UserName= and QOSName= lines as database contents: the seed a
     * controller loads at start for what its database does not hold yet.
     */
    public static AccountsDb seed(Associations conf) {
        List<Account> accounts = new ArrayList<>();
        List<Assoc> assocs = new ArrayList<>();
        Map<String, User> users = new LinkedHashMap<>();
        for (Associations.Account a : conf.accounts()) {
            accounts.add(new Account(
                    a.name(),
                    a.name(),
                    a.parent() == null ? a.name() : a.parent(),
                    a.parent(),
                    a.shares(),
                    AssocLimits.NONE));
            for (String u : a.users()) {
                assocs.add(new Assoc(a.name(), u, conf.userShares(u), AssocLimits.NONE));
                users.computeIfAbsent(u, n -> new User(n, conf.defaultAccount(n).orElse(a.name()), AdminLevel.None));
            }
        }
        for (Associations.User u : conf.users().values()) {
            users.computeIfAbsent(
                    u.name(), n -> new User(n, conf.defaultAccount(n).orElse(null), AdminLevel.None));
        }
        List<Qos> qos = new ArrayList<>();
        for (Associations.Qos q : conf.qos()) qos.add(new Qos(q.name(), q.name(), q.priority()));
        return new AccountsDb(accounts, List.copyOf(users.values()), assocs, qos);
    }

    /** This database with what {@code seed} has and it lacks added; nothing it holds is changed. */
    public AccountsDb withSeed(AccountsDb seed) {
        List<Account> a = new ArrayList<>(accounts);
        for (Account x : seed.accounts) if (account(x.name()).isEmpty()) a.add(x);
        List<User> u = new ArrayList<>(users);
        for (User x : seed.users) if (user(x.name()).isEmpty()) u.add(x);
        List<Assoc> s = new ArrayList<>(assocs);
        for (Assoc x : seed.assocs) if (assoc(x.account(), x.user()).isEmpty()) s.add(x);
        List<Qos> q = new ArrayList<>(qos);
        for (Qos x : seed.qos) if (qos(x.name()).isEmpty()) q.add(x);
        return new AccountsDb(a, u, s, q);
    }

    /** The accounts and QOS as fair share, priority and submission read them. */
    public Associations associations() {
        List<Associations.Account> list = new ArrayList<>();
        for (Account a : accounts) {
            List<String> members = assocs.stream()
                    .filter(s -> s.account().equals(a.name()))
                    .map(Assoc::user)
                    .toList();
            list.add(new Associations.Account(a.name(), a.parent(), a.shares(), members));
        }
        Map<String, Associations.User> us = new LinkedHashMap<>();
        for (User u : users) {
            long shares = assocs.stream()
                    .filter(s -> s.user().equals(u.name()))
                    .mapToLong(Assoc::shares)
                    .findFirst()
                    .orElse(1);
            String def = u.defaultAccount() != null
                            && assoc(u.defaultAccount(), u.name()).isPresent()
                    ? u.defaultAccount()
                    : null;
            us.put(u.name(), new Associations.User(u.name(), def, shares));
        }
        List<Associations.Qos> q = qos.stream()
                .map(x -> new Associations.Qos(x.name(), x.priority()))
                .toList();
        return new Associations(list, us, q);
    }
}
