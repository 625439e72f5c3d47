package io.dtx.engine;

import static io.dtx.testing.Coordinator.awaitStatus;
import static io.dtx.testing.Coordinator.state;
import static io.dtx.testing.Coordinator.submit;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.dtx.testing.Db;
import io.dtx.testing.Participant.Answer;
import io.dtx.testing.ParticipantTestBase;
import io.dtx.testing.PostgresResource;
import io.dtx.testing.Tx;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Durable writes per transaction, counted as database write transactions (each takes a transaction id; reads take
 * none): a submit is one commit; a successful saga is two (accept, finish) where DTM v1.19 makes four; a rollback
 * records {@code aborting} before compensating.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class CommitCountTests extends ParticipantTestBase {

    @Test
    void submitIsAcknowledgedAfterOneCommitAndATwoStepSagaTakesTwo() {
        String gid = gid("commits");
        p.script("/c0", Answer.held());
        Tx saga = Tx.saga(gid).step(p.url("/c0"), p.url("/c0r"), "{}").step(p.url("/c1"), p.url("/c1r"), "{}");

        long before = Db.writeTransactionCounter();
        submit(saga).then().statusCode(200);
        p.awaitCall(c -> gid.equals(c.gid()), WAIT);
        assertThat(Db.writeTransactionCounter() - before).as("commits when the submit is answered").isEqualTo(1);

        p.release();
        awaitStatus(gid, "succeed", WAIT);
        assertThat(Db.writeTransactionCounter() - before).as("commits for the whole saga").isEqualTo(2);
    }

    @Test
    void rollbackRecordsAbortingBeforeTheFirstCompensation() {
        String gid = gid("rbc");
        p.always("/r1", Answer.failure());
        p.script("/r0r", Answer.held());
        Tx saga = Tx.saga(gid).step(p.url("/r0"), p.url("/r0r"), "{}").step(p.url("/r1"), p.url("/r1r"), "{}");

        long before = Db.writeTransactionCounter();
        submit(saga).then().statusCode(200);
        p.awaitCall(c -> c.path().equals("/r0r") && gid.equals(c.gid()), WAIT);
        // the compensation of step 0 is running: aborting and the failed action are already durable (the
        // compensation of step 1 is recorded with the round's end)
        assertThat(state(gid).status()).isEqualTo("aborting");
        assertThat(state(gid).branchStatuses()).containsExactly("prepared", "succeed", "prepared", "failed");
        assertThat(Db.writeTransactionCounter() - before).isEqualTo(2);

        p.release();
        awaitStatus(gid, "failed", WAIT);
        assertThat(Db.writeTransactionCounter() - before).isEqualTo(3);
    }
}
