package io.dtx.api;

import static io.dtx.testing.Coordinator.awaitStatus;
import static io.dtx.testing.Coordinator.state;
import static io.dtx.testing.Coordinator.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.dtx.recovery.RecoveryLoop;
import io.dtx.testing.Coordinator.State;
import io.dtx.testing.Db;
import io.dtx.testing.Participant;
import io.dtx.testing.Participant.Answer;
import io.dtx.testing.Participant.Call;
import io.dtx.testing.ParticipantTestBase;
import io.dtx.testing.PostgresResource;
import io.dtx.testing.Tx;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Saga behaviour (dtm-protocol.md §4.1, §13.1 items 3–14) against real participants on loopback. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class SagaTests extends ParticipantTestBase {

    @Inject
    RecoveryLoop recovery;

    /** A saga whose step i calls /{prefix}{i} and compensates with /{prefix}{i}Revert. */
    static Tx saga(String gid, String prefix, int steps) {
        Tx tx = Tx.saga(gid);
        for (int i = 0; i < steps; i++) {
            tx.step(p.url("/" + prefix + i), p.url("/" + prefix + i + "Revert"), "{\"step\":" + i + "}");
        }
        return tx;
    }

    void recover(String gid) {
        Db.makeDue(gid);
        recovery.runOnce().await().atMost(WAIT);
    }

    @Test
    void successfulSagaCallsEachActionOnceInStepOrderWithDtmQueryAndPayload() {
        String gid = gid("ok");
        submit(saga(gid, "ok", 2)).then().statusCode(200).body(equalTo("{\"dtm_result\":\"SUCCESS\"}"));

        State s = awaitStatus(gid, "succeed", WAIT);
        assertThat(s.branchStatuses()).containsExactly("prepared", "succeed", "prepared", "succeed");
        assertThat(s.ops()).containsExactly("compensate", "action", "compensate", "action");
        assertThat(s.json().getList("branches.branch_id")).containsExactly("01", "01", "02", "02");
        assertThat(p.pathsFor(gid)).containsExactly("/ok0", "/ok1");
        Call first = p.callsFor(gid).get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.query()).isEqualTo(
                Map.of("gid", gid, "trans_type", "saga", "branch_id", "01", "op", "action"));
        assertThat(first.body()).isEqualTo("{\"step\":0}");
        assertThat(first.header("Content-Type")).isEqualTo("application/json");
        assertThat(p.callsFor(gid).get(1).branchId()).isEqualTo("02");
    }

    @Test
    void failedActionRollsBackInReverseIncludingTheFailedStepAndSkipsStepsNotStarted() {
        String gid = gid("rb");
        p.always("/rb1", Answer.failure());
        submit(saga(gid, "rb", 3)).then().statusCode(200);

        State s = awaitStatus(gid, "failed", WAIT);
        assertThat(s.branchStatuses()).containsExactly("succeed", "succeed", "succeed", "failed", "prepared",
                "prepared");
        assertThat(p.pathsFor(gid)).containsExactly("/rb0", "/rb1", "/rb1Revert", "/rb0Revert");
        assertThat(s.rollbackReason()).contains(p.url("/rb1")).contains("refused by participant");
        assertThat(p.calls("/rb1Revert").get(0).op()).isEqualTo("compensate");
    }

    @Test
    void compensationAnsweringErrorOrFailureIsRetriedUntilItSucceeds() {
        String gid = gid("cr");
        p.always("/cr1", Answer.failure());
        p.script("/cr0Revert", Answer.error(), Answer.failure());
        submit(saga(gid, "cr", 2)).then().statusCode(200);

        awaitStatus(gid, "aborting", WAIT);
        p.awaitCall(c -> c.path().equals("/cr0Revert"), WAIT);
        assertThat(state(gid).status()).isEqualTo("aborting");

        recover(gid); // the compensation answers FAILURE: still retried, never terminal
        assertThat(state(gid).status()).isEqualTo("aborting");
        recover(gid);

        State s = awaitStatus(gid, "failed", WAIT);
        assertThat(p.calls("/cr0Revert").stream().filter(c -> c.gid().equals(gid))).hasSize(3);
        assertThat(s.attempts()).containsExactly(3, 1, 1, 1);
    }

    @Test
    void concurrentSagaStartsIndependentActionsTogether() {
        String gid = gid("par");
        for (int i = 0; i < 3; i++) {
            p.script("/par" + i, Answer.held());
        }
        Participant.Call[] seen = new Participant.Call[3];
        submit(saga(gid, "par", 3).concurrent(Map.of())).then().statusCode(200);
        for (int i = 0; i < 3; i++) {
            String path = "/par" + i;
            seen[i] = p.awaitCall(c -> c.path().equals(path) && c.gid().equals(gid), WAIT);
        }
        // all three arrived while every one of them was still held: they ran concurrently
        assertThat(state(gid).status()).isEqualTo("submitted");
        p.release();
        awaitStatus(gid, "succeed", WAIT);
    }

    @Test
    void concurrentSagaHonoursOrdersForwardAndCompensatesDependentsFirst() {
        String gid = gid("ord");
        // step 2 waits for 0 and 1; step 3 waits for 2 and fails
        p.always("/ord3", Answer.failure());
        Tx tx = saga(gid, "ord", 4).concurrent(Map.of("2", List.of(0, 1), "3", List.of(2)));
        submit(tx).then().statusCode(200);

        awaitStatus(gid, "failed", WAIT);
        List<String> paths = p.pathsFor(gid);
        assertThat(paths.indexOf("/ord2")).isGreaterThan(paths.indexOf("/ord0")).isGreaterThan(paths.indexOf("/ord1"));
        assertThat(paths.indexOf("/ord3")).isGreaterThan(paths.indexOf("/ord2"));
        assertThat(paths.indexOf("/ord2Revert")).isGreaterThan(paths.indexOf("/ord3Revert"));
        assertThat(paths.indexOf("/ord0Revert")).isGreaterThan(paths.indexOf("/ord2Revert"));
        assertThat(paths.indexOf("/ord1Revert")).isGreaterThan(paths.indexOf("/ord2Revert"));
        assertThat(paths).hasSize(8);
    }

    @Test
    void ongoingKeepsTheIntervalAndErrorDoublesItUntilSuccessResetsIt() {
        String gid = gid("iv");
        p.script("/iv0", Answer.ongoing(), Answer.error(), Answer.error());
        submit(saga(gid, "iv", 1).set("retry_interval", 7)).then().statusCode(200);

        p.awaitCall(c -> gid.equals(c.gid()), WAIT);
        assertThat(awaitInterval(gid, 7)).isEqualTo(7); // ongoing: kept
        recover(gid);
        assertThat(awaitInterval(gid, 14)).isEqualTo(14); // error: doubled
        recover(gid);
        assertThat(awaitInterval(gid, 28)).isEqualTo(28);
        long dueInSeconds = Db.count("SELECT round(extract(epoch FROM next_cron_time - now()))::bigint FROM trans_global"
                + " WHERE gid = ?", gid);
        assertThat(dueInSeconds).isBetween(26L, 28L);
        recover(gid);
        awaitStatus(gid, "succeed", WAIT);
    }

    private static int awaitInterval(String gid, int expected) {
        long end = System.nanoTime() + WAIT.toNanos();
        int last = -1;
        while (System.nanoTime() < end) {
            State s = state(gid);
            last = s.nextCronInterval();
            if (last == expected && s.json().getString("transaction.owner").isEmpty()) {
                return last;
            }
            sleep(20);
        }
        return last;
    }

    @Test
    void resultsAreClassifiedByDtmRules() {
        // status, body → the saga's status after one round
        record Case(int status, String body, String expected) {
        }
        List<Case> cases = List.of(
                new Case(200, "{\"dtm_result\":\"SUCCESS\"}", "succeed"),
                new Case(200, "", "succeed"),
                new Case(409, "", "failed"),
                new Case(200, "{\"dtm_result\":\"FAILURE\"}", "failed"),
                new Case(500, "please FAILURE", "failed"),
                new Case(425, "", "submitted"),
                new Case(200, "still ONGOING", "submitted"),
                new Case(409, "ONGOING", "submitted"),
                new Case(201, "{}", "submitted"),
                new Case(204, "", "submitted"),
                new Case(302, "", "submitted"),
                new Case(500, "boom", "submitted"));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            String gid = gid("cls" + i);
            p.always("/cls" + i + "x0", Answer.status(c.status(), c.body()));
            submit(saga(gid, "cls" + i + "x", 1).waitResult());
            assertThat(state(gid).status()).as("HTTP %d %s", c.status(), c.body()).isEqualTo(c.expected());
        }
    }

    @Test
    void emptyUrlsSucceedWithoutACall() {
        String gid = gid("empty");
        Tx tx = Tx.saga(gid).step("", "", "{}").step(p.url("/empty1"), "", "{}");
        p.always("/empty1", Answer.failure());
        submit(tx.waitResult()).then().statusCode(409);
        State s = state(gid);
        assertThat(s.status()).isEqualTo("failed");
        assertThat(s.branchStatuses()).containsExactly("succeed", "succeed", "succeed", "failed");
        assertThat(p.pathsFor(gid)).containsExactly("/empty1");
    }

    @Test
    void timeoutToFailAbortsAndCompensatesOnlyWhatRan() {
        String gid = gid("to");
        p.always("/to1", Answer.ongoing());
        submit(saga(gid, "to", 3).set("timeout_to_fail", 2)).then().statusCode(200);
        p.awaitCall(c -> c.path().equals("/to1") && gid.equals(c.gid()), WAIT);
        awaitRoundEnded(gid);

        Db.age(gid, 3);
        recover(gid);

        State s = awaitStatus(gid, "failed", WAIT);
        assertThat(s.rollbackReason()).isEqualTo("Timeout after 2 seconds");
        assertThat(p.pathsFor(gid)).containsExactly("/to0", "/to1", "/to1Revert", "/to0Revert");
        assertThat(s.branchStatuses()).containsExactly("succeed", "succeed", "succeed", "prepared", "prepared",
                "prepared");
    }

    @Test
    void sagaWithoutTimeoutNeverTimesOut() {
        String gid = gid("nto");
        p.script("/nto0", Answer.ongoing());
        submit(saga(gid, "nto", 1)).then().statusCode(200);
        p.awaitCall(c -> gid.equals(c.gid()), WAIT);
        awaitRoundEnded(gid);
        Db.age(gid, 86_400 * 30);
        recover(gid);
        awaitStatus(gid, "succeed", WAIT);
    }

    @Test
    void waitResultAnswersSuccessRollbackReasonOrOngoing() {
        String ok = gid("wok");
        submit(saga(ok, "wok", 2).waitResult()).then().statusCode(200)
                .body(equalTo("{\"dtm_result\":\"SUCCESS\"}"));
        assertThat(state(ok).status()).isEqualTo("succeed");

        String rb = gid("wrb");
        p.always("/wrb1", Answer.failure());
        submit(saga(rb, "wrb", 2).waitResult()).then().statusCode(409)
                .body("dtm_result", equalTo("FAILURE"))
                .body("message", containsString(p.url("/wrb1")));
        assertThat(state(rb).status()).isEqualTo("failed");

        String on = gid("won");
        p.script("/won0", Answer.error());
        submit(saga(on, "won", 1).waitResult()).then().statusCode(425)
                .body("dtm_result", equalTo("ONGOING"))
                .body("message", containsString("participant broke"));
        assertThat(state(on).status()).isEqualTo("submitted");
    }

    @Test
    void branchHeadersReachEveryCallIncludingRetriesButHopByHopHeadersDoNot() {
        String gid = gid("hdr");
        p.script("/hdr0", Answer.error());
        Tx tx = saga(gid, "hdr", 1).set("branch_headers",
                Map.of("X-Trace-Id", "trace-1", "Authorization", "Bearer t", "Connection", "close", "Host", "evil"));
        submit(tx).then().statusCode(200);
        p.awaitCall(c -> gid.equals(c.gid()), WAIT);
        awaitRoundEnded(gid);
        recover(gid);
        awaitStatus(gid, "succeed", WAIT);

        List<Call> calls = p.callsFor(gid);
        assertThat(calls).hasSize(2);
        for (Call c : calls) {
            assertThat(c.header("X-Trace-Id")).isEqualTo("trace-1");
            assertThat(c.header("Authorization")).isEqualTo("Bearer t");
            assertThat(c.header("Host")).isEqualTo("127.0.0.1:" + p.port());
            assertThat(c.header("Connection")).isNotEqualTo("close");
        }
    }

    @Test
    void requestTimeoutOfTheTransactionBoundsEachBranchCall() {
        String gid = gid("rt");
        p.script("/rt0", Answer.slow(Duration.ofSeconds(4)));
        long start = System.nanoTime();
        submit(saga(gid, "rt", 1).set("request_timeout", 1).waitResult()).then().statusCode(425)
                .body("message", containsString("no answer within 1000 ms"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3500));
        assertThat(state(gid).json().getString("branches[1].last_error")).contains("no answer within 1000 ms");
    }

    @Test
    void resubmittingASubmittedSagaContinuesWithTheStoredBranchesAndAFinishedOneIsRefused() {
        String gid = gid("re");
        p.script("/re1", Answer.error());
        submit(saga(gid, "re", 2)).then().statusCode(200);
        p.awaitCall(c -> c.path().equals("/re1") && gid.equals(c.gid()), WAIT);
        awaitRoundEnded(gid);

        // different steps in the re-submit are ignored: the stored ones run
        Tx other = Tx.saga(gid).step(p.url("/other"), p.url("/otherRevert"), "{}");
        submit(other.waitResult()).then().statusCode(200);
        assertThat(state(gid).status()).isEqualTo("succeed");
        assertThat(p.pathsFor(gid)).containsExactly("/re0", "/re1", "/re1");
        assertThat(Db.count("SELECT count(*) FROM trans_branch_op WHERE gid = ?", gid)).isEqualTo(4);

        submit(saga(gid, "re", 2)).then().statusCode(409).body("dtm_result", equalTo("FAILURE"))
                .body("message", containsString("succeed"));
    }

    @Test
    void retryLimitCountsFailedAttemptsAcrossRoundsThenRollsBack() {
        String gid = gid("rl");
        p.always("/rl0", Answer.ongoing());
        submit(saga(gid, "rl", 1).set("retry_limit", 2)).then().statusCode(200);
        p.awaitCall(c -> gid.equals(c.gid()), WAIT);
        awaitRoundEnded(gid);
        recover(gid);
        assertThat(state(gid).status()).isEqualTo("submitted");
        recover(gid); // third failed attempt: more than the limit of 2

        State s = awaitStatus(gid, "failed", WAIT);
        assertThat(s.rollbackReason()).isEqualTo("RetryCount is greater than RetryLimit, RetryLimit: 2");
        assertThat(s.json().getInt("transaction.retry_count")).isEqualTo(3);
        assertThat(p.pathsFor(gid)).containsExactly("/rl0", "/rl0", "/rl0", "/rl0Revert");
    }

    @Test
    void retryLimitNotReachedLetsTheSagaSucceed() {
        String gid = gid("rlok");
        p.script("/rlok0", Answer.ongoing(), Answer.error());
        submit(saga(gid, "rlok", 1).set("retry_limit", 2)).then().statusCode(200);
        p.awaitCall(c -> gid.equals(c.gid()), WAIT);
        awaitRoundEnded(gid);
        recover(gid);
        recover(gid);
        assertThat(awaitStatus(gid, "succeed", WAIT).json().getInt("transaction.retry_count")).isEqualTo(2);
    }

    @Test
    void legacyBodyWithPayloadInStepDataIsAccepted() {
        String gid = gid("legacy");
        String body = Tx.json(Map.of("gid", gid, "trans_type", "saga", "wait_result", true, "steps",
                List.of(Map.of("action", p.url("/legacy0"), "compensate", p.url("/legacy0Revert"), "data",
                        "{\"amount\":1}"))));
        io.dtx.testing.Coordinator.post("submit", body).then().statusCode(200);
        assertThat(p.calls("/legacy0").get(0).body()).isEqualTo("{\"amount\":1}");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
