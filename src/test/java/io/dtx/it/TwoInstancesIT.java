package io.dtx.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.dtx.testing.DtxProcess;
import io.dtx.testing.Participant;
import io.dtx.testing.Participant.Answer;
import io.dtx.testing.Participant.Call;
import io.dtx.testing.Remote;
import io.dtx.testing.TestDatabase;
import io.dtx.testing.Tx;
import io.restassured.path.json.JsonPath;

/**
 * Two coordinator processes on one PostgreSQL: every saga submitted to either finishes, recovery rounds are never
 * applied twice, no action is called after its saga's success was recorded, and the sagas of an instance that is
 * killed are finished by the other once its leases expire.
 */
class TwoInstancesIT {

    private static Map<String, String> env(TestDatabase.Credentials db) {
        return Map.of("DTX_DB_URL", db.urlWithCredentials(), "DTX_RECOVERY_POLL_INTERVAL", "1s",
                "DTX_RECOVERY_LEASE_MARGIN", "1s", "DTX_REQUEST_TIMEOUT", "2s");
    }

    @Test
    void twoHundredSagasOnTwoInstancesAllFinishExactlyOnce() throws Exception {
        TestDatabase.Credentials db = TestDatabase.freshDatabase();
        try (Participant p = Participant.start();
                DtxProcess a = DtxProcess.start("two-a", DtxProcess.freePort(), env(db));
                DtxProcess b = DtxProcess.start("two-b", DtxProcess.freePort(), env(db))) {
            Remote[] apis = { new Remote(a.baseUrl()), new Remote(b.baseUrl()) };
            int n = 200;
            // the second action of every saga fails once: half the work goes through recovery on both instances
            List<String> gids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String gid = "two-" + i;
                gids.add(gid);
                p.script("/in-" + i, Answer.error());
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                Tx saga = Tx.saga(gids.get(k)).step(p.url("/out"), p.url("/outRevert"), "{}")
                        .step(p.url("/in-" + k), p.url("/inRevert"), "{}").set("retry_interval", 1);
                answers.add(pool.submit(() -> apis[k % 2].post("submit", saga.json()).statusCode()));
            }
            for (Future<Integer> f : answers) {
                assertThat(f.get()).isEqualTo(200);
            }
            pool.shutdown();

            for (int i = 0; i < n; i++) {
                String gid = gids.get(i);
                JsonPath done = apis[i % 2].awaitStatus(gid, "succeed", Duration.ofSeconds(90));
                Instant recorded = Remote.finishTime(done).toInstant();
                List<Call> calls = p.callsFor(gid);
                assertThat(calls).extracting(Call::path).as(gid).containsExactly("/out", "/in-" + i, "/in-" + i);
                for (Call c : calls) {
                    assertThat(c.at()).as("%s %s", gid, c.path()).isBefore(recorded);
                }
            }
            assertThat(a.log()).doesNotContain("ERROR");
            assertThat(b.log()).doesNotContain("ERROR");
        }
    }

    @Test
    void theSagasOfAKilledInstanceAreFinishedByTheOther() throws Exception {
        TestDatabase.Credentials db = TestDatabase.freshDatabase();
        try (Participant p = Participant.start();
                DtxProcess survivor = DtxProcess.start("kill-survivor", DtxProcess.freePort(), env(db))) {
            DtxProcess victim = DtxProcess.start("kill-victim", DtxProcess.freePort(), env(db));
            Remote api = new Remote(victim.baseUrl());
            p.always("/slow", Answer.held());
            List<String> gids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String gid = "killed-" + i;
                gids.add(gid);
                api.post("submit", Tx.saga(gid).step(p.url("/slow"), p.url("/slowRevert"), "{}")
                        .step(p.url("/next"), p.url("/nextRevert"), "{}").json()).then().statusCode(200);
            }
            for (String gid : gids) {
                p.awaitCall(c -> gid.equals(c.gid()), Duration.ofSeconds(10));
            }
            victim.kill(); // with all its rounds in flight
            p.always("/slow", Answer.ok());
            p.release();

            Remote other = new Remote(survivor.baseUrl());
            for (String gid : gids) {
                JsonPath done = other.awaitStatus(gid, "succeed", Duration.ofSeconds(60));
                Instant recorded = Remote.finishTime(done).toInstant();
                assertThat(p.callsFor(gid)).extracting(Call::path).as(gid).containsExactly("/slow", "/slow", "/next");
                for (Call c : p.callsFor(gid)) {
                    assertThat(c.at()).isBefore(recorded);
                }
            }
            String survivorLog = survivor.log();
            for (String gid : gids) {
                assertThat(survivorLog).as("the survivor finished %s", gid).contains("gid " + gid + ": submitted -> succeed");
            }
        }
    }
}
