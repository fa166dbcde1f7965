package io.motley.controller.store;

import io.motley.core.accounts.AccountsDb;
import io.motley.core.accounts.AccountsDb.Account;
import io.motley.core.accounts.AccountsDb.AdminLevel;
import io.motley.core.accounts.AccountsDb.Assoc;
import io.motley.core.accounts.AccountsDb.Qos;
import io.motley.core.accounts.AccountsDb.User;
import io.motley.core.accounts.AssocLimits;
import io.motley.core.accounts.Tres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** sacctmgr's database in the tables of migration V6, for {@link SqlStore}. */
final class AccountRows {
    private AccountRows() {}

    private static final String LIMITS = "max_jobs, max_submit_jobs, max_wall, grp_cpu, grp_mem_mib, grp_gpus";

    /** The order every store answers in. */
    static AccountsDb sorted(AccountsDb db) {
        return new AccountsDb(
                db.accounts().stream()
                        .sorted(Comparator.comparing(Account::name))
                        .toList(),
                db.users().stream().sorted(Comparator.comparing(User::name)).toList(),
                db.assocs().stream()
                        .sorted(Comparator.comparing(Assoc::account).thenComparing(Assoc::user))
                        .toList(),
                db.qos().stream().sorted(Comparator.comparing(Qos::name)).toList());
    }

    static AccountsDb read(Connection c) throws SQLException {
        List<Account> accounts = new ArrayList<>();
        List<User> users = new ArrayList<>();
        List<Assoc> assocs = new ArrayList<>();
        List<Qos> qos = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT name, description, organization, parent, shares, " + LIMITS
                    + " FROM accounts ORDER BY name")) {
                while (r.next())
                    accounts.add(new Account(
                            r.getString(1),
                            r.getString(2),
                            r.getString(3),
                            r.getString(4),
                            r.getLong(5),
                            limits(r, 6)));
            }
            try (ResultSet r =
                    s.executeQuery("SELECT name, default_account, admin_level FROM account_users ORDER BY name")) {
                while (r.next())
                    users.add(new User(r.getString(1), r.getString(2), AdminLevel.valueOf(r.getString(3))));
            }
            try (ResultSet r = s.executeQuery("SELECT account, user_name, shares, " + LIMITS
                    + " FROM associations ORDER BY account, user_name")) {
                while (r.next()) assocs.add(new Assoc(r.getString(1), r.getString(2), r.getLong(3), limits(r, 4)));
            }
            try (ResultSet r = s.executeQuery("SELECT name, description, priority FROM qos ORDER BY name")) {
                while (r.next()) qos.add(new Qos(r.getString(1), r.getString(2), r.getLong(3)));
            }
        }
        // the databases' collations may order names differently from Java; every store answers in Java's order
        return sorted(new AccountsDb(accounts, users, assocs, qos));
    }

    private static AssocLimits limits(ResultSet r, int at) throws SQLException {
        return new AssocLimits(
                r.getLong(at),
                r.getLong(at + 1),
                r.getLong(at + 2),
                new Tres(r.getLong(at + 3), r.getLong(at + 4), r.getLong(at + 5)));
    }

    static void write(Connection c, AccountsDb db) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String t : List.of("associations", "account_users", "accounts", "qos"))
                s.executeUpdate("DELETE FROM " + t);
        }
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO accounts (name, description, organization, parent, shares, " + LIMITS
                        + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
            for (Account a : db.accounts()) {
                p.setString(1, a.name());
                p.setString(2, a.description());
                p.setString(3, a.organization());
                if (a.parent() == null) p.setNull(4, Types.VARCHAR);
                else p.setString(4, a.parent());
                p.setLong(5, a.shares());
                bindLimits(p, 6, a.limits());
                p.addBatch();
            }
            p.executeBatch();
        }
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO account_users (name, default_account, admin_level) VALUES (?,?,?)")) {
            for (User u : db.users()) {
                p.setString(1, u.name());
                if (u.defaultAccount() == null) p.setNull(2, Types.VARCHAR);
                else p.setString(2, u.defaultAccount());
                p.setString(3, u.adminLevel().name());
                p.addBatch();
            }
            p.executeBatch();
        }
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO associations (account, user_name, shares, " + LIMITS + ") VALUES (?,?,?,?,?,?,?,?,?)")) {
            for (Assoc a : db.assocs()) {
                p.setString(1, a.account());
                p.setString(2, a.user());
                p.setLong(3, a.shares());
                bindLimits(p, 4, a.limits());
                p.addBatch();
            }
            p.executeBatch();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO qos (name, description, priority) VALUES (?,?,?)")) {
            for (Qos q : db.qos()) {
                p.setString(1, q.name());
                p.setString(2, q.description());
                p.setLong(3, q.priority());
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    private static void bindLimits(PreparedStatement p, int at, AssocLimits l) throws SQLException {
        p.setLong(at, l.maxJobs());
        p.setLong(at + 1, l.maxSubmitJobs());
        p.setLong(at + 2, l.maxWallSeconds());
        p.setLong(at + 3, l.grpTres().cpu());
        p.setLong(at + 4, l.grpTres().memMiB());
        p.setLong(at + 5, l.grpTres().gpus());
    }
}
