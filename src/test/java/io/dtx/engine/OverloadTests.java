package io.dtx.engine;

import static io.dtx.testing.Coordinator.awaitStatus;
import static io.dtx.testing.Coordinator.prepare;
import static io.dtx.testing.Coordinator.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.dtx.recovery.RecoveryLoop;
import io.dtx.testing.Db;
import io.dtx.testing.Participant.Answer;
import io.dtx.testing.ParticipantTestBase;
import io.dtx.testing.PostgresResource;
import io.dtx.testing.Tx;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * At {@code dtx.max-active-rounds}, what is submitted is still accepted and stored at once, but left due for the
 * recovery loop instead of adding a round in memory. The recovery loop is off here so that the hand-over shows.
 */
@QuarkusTest
@TestProfile(OverloadTests.TwoRounds.class)
@WithTestResource(PostgresResource.class)
class OverloadTests extends ParticipantTestBase {

    public static class TwoRounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("dtx.max-active-rounds", "2", "dtx.recovery.enabled", "false");
        }
    }

    @Inject
    RecoveryLoop recovery;

    @Test
    void beyondTheLimitTransactionsAreStoredDueAndRunByRecovery() {
        String prefix = gid("full");
        p.always("/hold", Answer.held());
        for (int i = 0; i < 2; i++) {
            String gid = prefix + "-busy-" + i;
            submit(Tx.saga(gid).step(p.url("/hold"), p.url("/holdRevert"), "{}")).then().statusCode(200);
            p.awaitCall(c -> gid.equals(c.gid()), WAIT);
        }

        List<String> extra = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String gid = prefix + "-extra-" + i;
            extra.add(gid);
            submit(Tx.saga(gid).step(p.url("/a"), p.url("/aRevert"), "{}").step(p.url("/b"), p.url("/bRevert"), "{}"))
                    .then().statusCode(200);
        }
        String msg = prefix + "-msg";
        Tx msgTx = Tx.msg(msg).set("query_prepared", p.url("/mQuery")).action(p.url("/m"), "{}");
        prepare(msgTx).then().statusCode(200);
        submit(msgTx).then().statusCode(200);
        extra.add(msg);

        // a caller that waits for the outcome still gets its round
        String waited = prefix + "-waited";
        submit(Tx.saga(waited).step(p.url("/w"), p.url("/wRevert"), "{}").waitResult()).then().statusCode(200);
        assertThat(Db.string("SELECT status FROM trans_global WHERE gid = ?", waited)).isEqualTo("succeed");

        for (String gid : extra) {
            assertThat(Db.string("SELECT status FROM trans_global WHERE gid = ?", gid)).as(gid).isEqualTo("submitted");
            assertThat(Db.string("SELECT owner FROM trans_global WHERE gid = ?", gid)).as(gid).isEmpty();
            assertThat(Db.count("SELECT count(*) FROM trans_global WHERE gid = ? AND next_cron_time <= now()", gid))
                    .as("%s is due", gid).isEqualTo(1);
            assertThat(p.callsFor(gid)).as(gid).isEmpty();
        }

        p.always("/hold", Answer.ok());
        p.release();
        recovery.runOnce().await().atMost(Duration.ofSeconds(30));
        for (String gid : extra) {
            awaitStatus(gid, "succeed", WAIT);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(p.pathsFor(prefix + "-extra-" + i)).containsExactly("/a", "/b");
        }
        assertThat(p.pathsFor(msg)).containsExactly("/m");
    }
}
