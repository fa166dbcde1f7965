package io.motley.controller.cluster;

import io.motley.controller.store.AccountsStore;
import io.motley.core.accounts.AccountsChange;
import io.motley.core.accounts.AccountsDb;
import io.motley.core.accounts.Sacctmgr;
import io.motley.core.config.ClusterConfig;
import io.motley.core.priority.Associations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sacctmgr's database in the controller: loaded from the store at start, with what motley.conf
 * declares (AccountName=, UserName=, QOSName=) and the database lacks added as a seed; changed
 * only by root and users whose AdminLevel is Operator or Administrator, each change committed to
 * the store before it is answered. Not thread-safe: the cluster calls it under its lock.
 */
final class Accounts {
    private static final Logger log = LoggerFactory.getLogger(Accounts.class);
    /** Slurm's ESLURM_ACCESS_DENIED. */
    static final String DENIED = "Access/permission denied";

    private final AccountsStore store;
    private final String cluster;
    private AccountsDb db;
    private Associations associations;

    Accounts(ClusterConfig config, AccountsStore store) {
        this.store = store;
        this.cluster = config.clusterName();
        AccountsDb held = store.accounts();
        AccountsDb seeded = held.withSeed(AccountsDb.seed(config.associations()));
        if (size(seeded) != size(held)) {
            store.saveAccounts(seeded);
            log.info("accounts seeded from motley.conf added={}", size(seeded) - size(held));
            held = store.accounts();
        }
        use(held);
    }

    private static int size(AccountsDb d) {
        return d.accounts().size()
                + d.users().size()
                + d.assocs().size()
                + d.qos().size();
    }

    private void use(AccountsDb next) {
        db = next;
        associations = next.associations();
    }

    AccountsDb db() {
        return db;
    }

    /** The accounts as fair share, priority and submission read them; the same instance until a change. */
    Associations associations() {
        return associations;
    }

    String cluster() {
        return cluster;
    }

    /**
     * Applies a sacctmgr change for {@code caller}: refused with Slurm's words unless the caller
     * is root or an Operator or Administrator; written to the store when {@code commit}, else
     * only what it would print is answered.
     */
    AccountsChange.Result change(Sacctmgr.Request r, Caller caller, boolean commit) {
        if (!db.mayAdminister(caller.user(), caller.isRoot())) {
            log.info("accounts change refused user={} verb={} entity={}", caller.user(), r.verb(), r.entity());
            return new AccountsChange.Result(db, "", denied(r), false);
        }
        AccountsChange.Result result = AccountsChange.apply(db, r, cluster);
        if (commit && result.changed()) {
            store.saveAccounts(result.db());
            use(store.accounts());
            log.info(
                    "accounts changed user={} verb={} entity={} names={}",
                    caller.user(),
                    r.verb(),
                    r.entity(),
                    r.names());
        }
        return result;
    }

    /** How sacctmgr reports slurmdbd's refusal, by what was asked. */
    static String denied(Sacctmgr.Request r) {
        if (r.verb() == Sacctmgr.Verb.ADD) {
            String what = switch (r.entity()) {
                case ACCOUNT -> "accounts";
                case USER -> "users";
                case QOS -> "QOS";
                default -> r.entity().name().toLowerCase(java.util.Locale.ROOT);
            };
            return " Problem adding " + what + ": " + DENIED;
        }
        return " Error with request: " + DENIED;
    }
}
