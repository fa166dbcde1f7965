package io.motley.core.priority;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Accounts, users and QOS as motley.conf declares them (what sacctmgr would hold in Slurm): the
 * account tree with each account's and user's shares, who may charge which account, and the QOS
 * levels with their priorities. With no accounts declared, nothing is checked at submission.
 */
public record Associations(List<Account> accounts, Map<String, User> users, List<Qos> qos) {

    /** An account: its parent (null: directly under root), its raw shares and the users who may charge it. */
    public record Account(String name, String parent, long shares, List<String> users) {
        public Account {
            users = List.copyOf(users);
            if (shares < 0) throw new IllegalArgumentException("Fairshare must not be negative");
        }
    }

    /** A user's default account (null: the first account listing them) and shares within each of their accounts. */
    public record User(String name, String defaultAccount, long shares) {}

    /** A quality of service and its priority (the QOS factor is this over the highest one). */
    public record Qos(String name, long priority) {}

    /** The QOS every job gets when it names none, as sacctmgr creates it. */
    public static final String NORMAL_QOS = "normal";

    public Associations {
        accounts = List.copyOf(accounts);
        users = Map.copyOf(users);
        qos = List.copyOf(qos);
    }

    public static Associations none() {
        return new Associations(List.of(), Map.of(), List.of());
    }

    /** Checks that parents exist, the tree has no cycle, and default accounts list their user. */
    public Associations validated() {
        Map<String, Account> byName = new LinkedHashMap<>();
        for (Account a : accounts) {
            if (a.name().equals("root"))
                throw new IllegalArgumentException("account root is implicit; do not declare it");
            if (byName.put(a.name(), a) != null)
                throw new IllegalArgumentException("account " + a.name() + " declared twice");
        }
        for (Account a : accounts) {
            String p = a.parent();
            int depth = 0;
            while (p != null) {
                Account up = byName.get(p);
                if (up == null)
                    throw new IllegalArgumentException("account " + a.name() + " names unknown Parent=" + p);
                if (++depth > byName.size())
                    throw new IllegalArgumentException("account " + a.name() + " is its own ancestor");
                p = up.parent();
            }
        }
        for (User u : users.values()) {
            if (u.defaultAccount() != null && !isMember(u.name(), u.defaultAccount())) {
                throw new IllegalArgumentException("user " + u.name() + " has DefaultAccount=" + u.defaultAccount()
                        + " but that account does not list them in Users=");
            }
        }
        return this;
    }

    /** Whether any account is declared (then accounts are enforced at submission). */
    public boolean enforced() {
        return !accounts.isEmpty();
    }

    public Optional<Account> account(String name) {
        return accounts.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    public boolean isMember(String user, String account) {
        return account(account).map(a -> a.users().contains(user)).orElse(false);
    }

    /** The account a job without -A is charged to: DefaultAccount, else the first account listing the user. */
    public Optional<String> defaultAccount(String user) {
        User u = users.get(user);
        if (u != null && u.defaultAccount() != null) return Optional.of(u.defaultAccount());
        return accounts.stream()
                .filter(a -> a.users().contains(user))
                .map(Account::name)
                .findFirst();
    }

    /** A user's raw shares in each account listing them (1 unless a UserName= line says otherwise). */
    public long userShares(String user) {
        User u = users.get(user);
        return u == null ? 1 : u.shares();
    }

    /** Accounts directly under {@code parent} (null: under root), in declaration order. */
    public List<Account> children(String parent) {
        List<Account> out = new ArrayList<>();
        for (Account a : accounts) {
            if (parent == null ? a.parent() == null : parent.equals(a.parent())) out.add(a);
        }
        return out;
    }

    /** A QOS by name; {@code normal} exists (priority 0) unless declared otherwise. */
    public Optional<Qos> qos(String name) {
        Optional<Qos> declared = qos.stream().filter(q -> q.name().equals(name)).findFirst();
        if (declared.isPresent() || !name.equals(NORMAL_QOS)) return declared;
        return Optional.of(new Qos(NORMAL_QOS, 0));
    }

    /** The highest QOS priority, the QOS factor's denominator. */
    public long maxQosPriority() {
        return qos.stream().mapToLong(Qos::priority).max().orElse(0);
    }
}
