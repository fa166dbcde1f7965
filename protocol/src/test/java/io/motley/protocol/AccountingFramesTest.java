package io.motley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.motley.core.accounting.AccountingQuery;
import org.junit.jupiter.api.Test;

class AccountingFramesTest {
    @Test
    void aQueryComesBackWhole() throws Exception {
        AccountingQuery q = AccountingQuery.builder()
                .uid(1000)
                .user("bob")
                .account("a")
                .partition("p")
                .state("FAILED")
                .state("REQUEUED")
                .window(10, 20)
                .job(AccountingQuery.JobId.parse("12_3"))
                .job(AccountingQuery.JobId.parse("14"))
                .node("n1")
                .name("x")
                .allocationsOnly(true)
                .duplicates(true)
                .build();
        assertThat(AccountingFrames.query(FrameIO.fromBytes(FrameIO.toBytes(AccountingFrames.query(q)))))
                .isEqualTo(q);
        assertThat(AccountingFrames.query(
                        AccountingFrames.query(AccountingQuery.builder().build())))
                .isEqualTo(AccountingQuery.builder().build());
    }

    @Test
    void whatCommandsBeforeItSentStillReads() {
        Frame old = Frame.op(Ops.ACCOUNTING)
                .put("start", 5)
                .put("end", 9)
                .put("user", 1000)
                .put("ids", "7");
        AccountingQuery q = AccountingFrames.query(old);
        assertThat(q.uids()).containsExactly(1000);
        assertThat(q.jobs()).containsExactly(new AccountingQuery.JobId(7, -1));
        assertThat(q.start()).isEqualTo(5);
    }

    @Test
    void aWrongFieldIsNamed() {
        assertThatThrownBy(() -> AccountingFrames.query(Frame.op(Ops.ACCOUNTING).put("states", "SLEEPY")))
                .hasMessageContaining("states");
        assertThatThrownBy(() -> AccountingFrames.query(Frame.op(Ops.ACCOUNTING).put("ids", "x")))
                .hasMessageContaining("ids");
    }
}
