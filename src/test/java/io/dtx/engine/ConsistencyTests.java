package io.dtx.engine;

import static io.dtx.testing.Coordinator.awaitStatus;
import static io.dtx.testing.Coordinator.post;
import static io.dtx.testing.Coordinator.state;
import static io.dtx.testing.Coordinator.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.dtx.recovery.RecoveryLoop;
import io.dtx.testing.Coordinator.State;
import io.dtx.testing.Db;
import io.dtx.testing.Participant.Answer;
import io.dtx.testing.ParticipantTestBase;
import io.dtx.testing.PostgresResource;
import io.dtx.testing.Tx;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Status changes are compare-and-set and a round's writes are fenced by its lease (§13.1 item 29, decisions §4–5):
 * results that arrive after someone else moved the transaction are discarded, never applied.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ConsistencyTests extends ParticipantTestBase {

    @Inject
    RecoveryLoop recovery;

    @Inject
    RoundRunner rounds;

    private void awaitNoRound() {
        long end = System.nanoTime() + WAIT.toNanos();
        while (rounds.activeRounds() > 0 && System.nanoTime() < end) {
            sleep(10);
        }
        assertThat(rounds.activeRounds()).isZero();
    }

    @Test
    void resultsOfARoundOvertakenByForceStopAreDiscarded() {
        String gid = gid("fs");
        p.script("/fs0", Answer.held());
        submit(Tx.saga(gid).step(p.url("/fs0"), p.url("/fs0Revert"), "{}")).then().statusCode(200);
        p.awaitCall(c -> gid.equals(c.gid()), WAIT);

        post("forceStop", Tx.json(Map.of("gid", gid))).then().statusCode(200);
        p.release();
        awaitNoRound();

        State s = state(gid);
        assertThat(s.status()).isEqualTo("failed");
        assertThat(s.branchStatuses()).containsExactly("prepared", "prepared");
        assertThat(p.pathsFor(gid)).containsExactly("/fs0");
    }

    @Test
    void aRoundThatLostItsLeaseAppliesNothing() {
        String gid = gid("lease");
        p.script("/lease0", Answer.held());
        submit(Tx.saga(gid).step(p.url("/lease0"), p.url("/lease0Revert"), "{}")).then().statusCode(200);
        p.awaitCall(c -> gid.equals(c.gid()), WAIT);

        // another instance claims the transaction (its lease expired meanwhile)
        Db.exec("UPDATE trans_global SET lease_token = lease_token + 1, owner = 'other-instance' WHERE gid = ?", gid);
        p.release();
        awaitNoRound();

        State s = state(gid);
        assertThat(s.status()).isEqualTo("submitted");
        assertThat(s.branchStatuses()).containsExactly("prepared", "prepared");
        assertThat(s.attempts()).containsExactly(0, 0);
        assertThat(s.json().getString("transaction.owner")).isEqualTo("other-instance");
    }

    @Test
    void concurrentSubmitAndAbortOfAPreparedMsgHaveExactlyOneWinner() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 20; i++) {
                String gid = gid("race" + i);
                Tx msg = Tx.msg(gid).set("query_prepared", p.url("/raceQuery")).action(p.url("/race"), "{}");
                post("prepare", msg.json()).then().statusCode(200);
                Future<Integer> submit = pool.submit(() -> post("submit", Tx.msg(gid).waitResult().json()).statusCode());
                Future<Integer> abort = pool
                        .submit(() -> post("abort", Tx.json(Map.of("gid", gid, "trans_type", "msg"))).statusCode());
                int s = submit.get();
                int a = abort.get();
                String status = state(gid).status();
                if (a == 200) {
                    assertThat(status).as(gid).isEqualTo("failed");
                    assertThat(p.callsFor(gid)).as(gid).isEmpty();
                    assertThat(s).as(gid).isIn(409, 425);
                } else {
                    assertThat(a).as(gid).isEqualTo(409);
                    assertThat(s).as(gid).isEqualTo(200);
                    assertThat(status).as(gid).isEqualTo("succeed");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoRecoveryPassesAtOnceNeverProcessTheSameTransactionTwice() {
        List<String> gids = new ArrayList<>();
        String path = "/rec" + UUID.randomUUID().toString().substring(0, 6);
        p.script(path, repeat(Answer.error(), 60));
        for (int i = 0; i < 60; i++) {
            String gid = gid("rec" + i);
            gids.add(gid);
            submit(Tx.saga(gid).step(p.url(path), "", "{}").waitResult()).then().statusCode(425);
        }
        for (String gid : gids) {
            Db.makeDue(gid);
        }
        CompletableFuture<Integer> a = recovery.runOnce().subscribeAsCompletionStage();
        CompletableFuture<Integer> b = recovery.runOnce().subscribeAsCompletionStage();
        int processed = a.join() + b.join();

        assertThat(processed).isEqualTo(60);
        for (String gid : gids) {
            assertThat(awaitStatus(gid, "succeed", WAIT).attempts()).containsExactly(0, 2);
            assertThat(p.callsFor(gid)).hasSize(2);
        }
    }

    private static Answer[] repeat(Answer a, int n) {
        Answer[] out = new Answer[n];
        java.util.Arrays.fill(out, a);
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
