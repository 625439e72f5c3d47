package io.dtx.conformance.javaclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dtx.conformance.javaclient.support.DtxQuery;
import io.dtx.conformance.javaclient.support.DtxServer;
import io.dtx.conformance.javaclient.support.Gate;
import io.dtx.conformance.javaclient.support.Participant;
import io.dtx.conformance.javaclient.support.RecordedCall;
import io.dtx.conformance.javaclient.support.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pub.dtm.client.DtmClient;
import pub.dtm.client.saga.Saga;

/**
 * Concurrent sagas from {@code Saga.enableConcurrent()} and {@code addBranchOrder(step, prerequisites)}, which the
 * client sends as {@code custom_data: {"orders":{"2":[0,1]},"concurrent":true}}. Steps 0 and 1 have no
 * prerequisite and run at the same time; step 2 waits for both. Rolling back goes the other way round.
 */
@ExtendWith(DtxServer.class)
class ConcurrentSagaWithJavaClientTest {

    private static final Duration FINISH_WITHIN = Duration.ofSeconds(30);
    /** Shorter than dtx's default 3 s branch timeout, so a held branch is never timed out by dtx. */
    private static final Duration SIBLING_WITHIN = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DtmClient client;
    private final DtxQuery dtx = new DtxQuery(DtxServer.BASE_URI);
    private Participant rm;

    @BeforeAll
    static void createClient() {
        client = new DtmClient(DtxServer.ENDPOINT);
    }

    @BeforeEach
    void startParticipant() throws Exception {
        rm = Participant.start();
    }

    @AfterEach
    void stopParticipant() {
        rm.close();
    }

    private Saga threeStepsWhereTheThirdNeedsTheFirstTwo(String gid) {
        return client.newSaga(gid)
                .add(rm.url("/A"), rm.url("/ARevert"), new Transfer("a", 1))
                .add(rm.url("/B"), rm.url("/BRevert"), new Transfer("b", 2))
                .add(rm.url("/C"), rm.url("/CRevert"), new Transfer("c", 3))
                .enableConcurrent()
                .addBranchOrder(2, List.of(0, 1));
    }

    @Test
    void concurrentSagaRunsIndependentActionsTogetherAndTheDependentActionOnlyAfterBoth() throws Exception {
        String gid = Gids.unique("java-concurrent-ok");
        Gate releaseA = new Gate();
        rm.on("/A", Reply.success().heldBy(releaseA));

        threeStepsWhereTheThirdNeedsTheFirstTwo(gid).submit();

        // A is held: B can only arrive now if dtx started it without waiting for A.
        RecordedCall b = rm.awaitCall(call -> gid.equals(call.gid()) && call.path().equals("/B"), SIBLING_WITHIN);
        releaseA.open();
        JsonNode query = dtx.awaitFinished(gid, FINISH_WITHIN);

        List<RecordedCall> calls = rm.callsFor(gid);
        assertThat(calls).extracting(RecordedCall::op).containsOnly("action");
        RecordedCall a = only(calls, path("/A"));
        assertThat(b).as("action B arrived while action A was still held").isNotNull();
        assertThat(b.arrivedNanos()).isLessThan(a.answeredNanos());
        RecordedCall c = only(calls, path("/C"));
        assertThat(c.arrivedNanos()).as("action C waits for A to be answered").isGreaterThan(a.answeredNanos());
        assertThat(c.arrivedNanos()).as("action C waits for B to be answered").isGreaterThan(b.answeredNanos());
        assertThat(a.branchId()).isEqualTo("01");
        assertThat(b.branchId()).isEqualTo("02");
        assertThat(c.branchId()).isEqualTo("03");
        assertThat(c.body()).isEqualTo("{\"user\":\"c\",\"amount\":3}");
        assertThat(calls).hasSize(3);

        assertThat(DtxQuery.status(query)).isEqualTo("succeed");
        assertThat(DtxQuery.branchIds(query)).containsExactly("01", "01", "02", "02", "03", "03");
        assertThat(DtxQuery.branchStatuses(query))
                .containsExactly("prepared", "succeed", "prepared", "succeed", "prepared", "succeed");
        JsonNode customData = JSON.readTree(query.get("transaction").path("custom_data").asText("{}"));
        assertThat(customData.path("concurrent").asBoolean()).as("stored custom_data %s", customData).isTrue();
        assertThat(JSON.convertValue(customData.path("orders"), Map.class)).isEqualTo(Map.of("2", List.of(0, 1)));
    }

    @Test
    void concurrentSagaRollsBackInReverseOrderCompensatingTheDependentStepFirst() throws Exception {
        String gid = Gids.unique("java-concurrent-rollback");
        rm.on("/C", Reply.failure());
        // Both compensations of the independent steps are held until both have arrived: they can only both
        // arrive if dtx runs them at the same time.
        Gate releaseReverts = new Gate();
        rm.on("/ARevert", Reply.success().heldBy(releaseReverts));
        rm.on("/BRevert", Reply.success().heldBy(releaseReverts));

        threeStepsWhereTheThirdNeedsTheFirstTwo(gid).submit();

        Predicate<RecordedCall> independentRevert = call -> gid.equals(call.gid())
                && (call.path().equals("/ARevert") || call.path().equals("/BRevert"));
        rm.awaitCall(independentRevert, FINISH_WITHIN);
        List<RecordedCall> reverts = rm.awaitCalls(independentRevert, 2, SIBLING_WITHIN);
        releaseReverts.open();
        JsonNode query = dtx.awaitFinished(gid, FINISH_WITHIN);

        List<RecordedCall> calls = rm.callsFor(gid);
        RecordedCall a = only(calls, path("/A"));
        RecordedCall b = only(calls, path("/B"));
        RecordedCall c = only(calls, path("/C"));
        RecordedCall cRevert = only(calls, path("/CRevert"));
        RecordedCall aRevert = only(calls, path("/ARevert"));
        RecordedCall bRevert = only(calls, path("/BRevert"));
        assertThat(calls).hasSize(6);

        assertThat(c.arrivedNanos()).isGreaterThan(a.answeredNanos()).isGreaterThan(b.answeredNanos());
        assertThat(c.answeredStatus()).isEqualTo(409);
        assertThat(cRevert.op()).isEqualTo("compensate");
        assertThat(cRevert.branchId()).isEqualTo("03");
        assertThat(cRevert.arrivedNanos()).as("C is compensated after its action answered FAILURE")
                .isGreaterThan(c.answeredNanos());
        assertThat(aRevert.arrivedNanos()).as("A's compensation waits for C's (C depends on A)")
                .isGreaterThan(cRevert.answeredNanos());
        assertThat(bRevert.arrivedNanos()).as("B's compensation waits for C's (C depends on B)")
                .isGreaterThan(cRevert.answeredNanos());
        assertThat(reverts).as("A's and B's compensations were both in flight at once").hasSize(2);
        assertThat(aRevert.arrivedNanos()).isLessThan(bRevert.answeredNanos());
        assertThat(bRevert.arrivedNanos()).isLessThan(aRevert.answeredNanos());
        assertThat(List.of(aRevert.op(), bRevert.op())).containsOnly("compensate");
        assertThat(List.of(aRevert.branchId(), bRevert.branchId())).containsExactly("01", "02");
        assertThat(aRevert.body()).isEqualTo("{\"user\":\"a\",\"amount\":1}");
        assertThat(bRevert.body()).isEqualTo("{\"user\":\"b\",\"amount\":2}");

        assertThat(DtxQuery.status(query)).isEqualTo("failed");
        assertThat(DtxQuery.branchStatuses(query))
                .containsExactly("succeed", "succeed", "succeed", "succeed", "succeed", "failed");
        assertThat(query.get("transaction").path("rollback_reason").asText("")).isNotBlank();
    }

    private static Predicate<RecordedCall> path(String path) {
        return call -> call.path().equals(path);
    }

    private static RecordedCall only(List<RecordedCall> calls, Predicate<RecordedCall> filter) {
        List<RecordedCall> matching = calls.stream().filter(filter).toList();
        assertThat(matching).as("calls matching in %s", calls).hasSize(1);
        return matching.get(0);
    }
}
