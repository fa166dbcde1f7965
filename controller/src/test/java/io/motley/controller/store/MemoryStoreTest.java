package io.motley.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryStoreTest extends StoreContractTestCase implements AccountsStoreContractTestCase {
    @Override
    Store newStore() {
        return new MemoryStore();
    }

    @Test
    void aFailingStoreRefusesWritesWithItsMessageUntilHealed() throws Exception {
        MemoryStore m = (MemoryStore) store();
        m.failWith("the job database is unreachable");
        assertThatThrownBy(() -> m.insertNew(StoreTest::job))
                .isInstanceOf(StoreException.class)
                .hasMessage("the job database is unreachable");
        assertThat(m.problem()).contains("the job database is unreachable");
        m.failWith(null);
        assertThat(m.insertNew(StoreTest::job).id()).isEqualTo(1);
    }
}
