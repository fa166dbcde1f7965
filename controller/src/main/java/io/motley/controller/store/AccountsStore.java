package io.motley.controller.store;

import io.motley.core.accounts.AccountsDb;

/**
 * sacctmgr's database in the store: accounts, users, associations and QOS. Small (tens to
 * thousands of rows) and changed rarely, so it is read whole and written whole, in one
 * transaction, committed before sacctmgr is answered.
 */
public interface AccountsStore {

    /** Everything held, accounts and QOS by name, users by name, associations by account then user. */
    AccountsDb accounts();

    /** Replaces what is held with {@code db}, in one transaction. */
    void saveAccounts(AccountsDb db);
}
