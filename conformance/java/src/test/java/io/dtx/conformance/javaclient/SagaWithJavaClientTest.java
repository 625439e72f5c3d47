package io.dtx.conformance.javaclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dtx.conformance.javaclient.support.DtxQuery;
import io.dtx.conformance.javaclient.support.DtxServer;
import io.dtx.conformance.javaclient.support.Participant;
import io.dtx.conformance.javaclient.support.RecordedCall;
import io.dtx.conformance.javaclient.support.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pub.dtm.client.DtmClient;
import pub.dtm.client.utils.JsonUtils;

/**
 * Sequential sagas built and submitted by the unmodified dtmcli-java client; dtx calls a real participant.
 */
@ExtendWith(DtxServer.class)
class SagaWithJavaClientTest {

    private static final Duration FINISH_WITHIN = Duration.ofSeconds(30);
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

    @Test
    void twoStepSagaCallsBothActionsInOrderWithTheirJsonPayloadsAndSucceeds() throws Exception {
        String gid = Gids.unique("java-saga-ok");
        Transfer out = new Transfer("alice", 30);
        Transfer in = new Transfer("bob", 30);

        String returned = client.newSaga(gid)
                .add(rm.url("/TransOut"), rm.url("/TransOutRevert"), out)
                .add(rm.url("/TransIn"), rm.url("/TransInRevert"), in)
                .submit();
        assertThat(returned).isEqualTo(gid);

        JsonNode query = dtx.awaitFinished(gid, FINISH_WITHIN);

        List<RecordedCall> calls = rm.callsFor(gid);
        assertThat(calls).extracting(RecordedCall::describe).containsExactly(
                "POST /TransOut op=action branch_id=01",
                "POST /TransIn op=action branch_id=02");
        assertBranchCall(calls.get(0), gid, "action", "01", out);
        assertBranchCall(calls.get(1), gid, "action", "02", in);
        assertThat(calls.get(1).arrivedNanos())
                .as("action 02 starts only after action 01 was answered")
                .isGreaterThan(calls.get(0).answeredNanos());
        assertThat(rm.calls()).as("nothing else reached the participant").hasSize(2);

        assertThat(DtxQuery.status(query)).isEqualTo("succeed");
        JsonNode transaction = query.get("transaction");
        assertThat(transaction.path("gid").asText()).isEqualTo(gid);
        assertThat(transaction.path("trans_type").asText()).isEqualTo("saga");
        assertThat(DtxQuery.branchOps(query)).containsExactly("compensate", "action", "compensate", "action");
        assertThat(DtxQuery.branchIds(query)).containsExactly("01", "01", "02", "02");
        assertThat(DtxQuery.branchStatuses(query)).containsExactly("prepared", "succeed", "prepared", "succeed");
        assertThat(DtxQuery.branchUrls(query)).containsExactly(
                rm.url("/TransOutRevert"), rm.url("/TransOut"), rm.url("/TransInRevert"), rm.url("/TransIn"));
    }

    @Test
    void sagaWhoseSecondActionAnswersFailureCompensatesBothStepsInReverseAndEndsFailed() throws Exception {
        String gid = Gids.unique("java-saga-rollback");
        Transfer out = new Transfer("alice", 40);
        Transfer in = new Transfer("bob", 40);
        rm.on("/TransIn", Reply.failure());

        client.newSaga(gid)
                .add(rm.url("/TransOut"), rm.url("/TransOutRevert"), out)
                .add(rm.url("/TransIn"), rm.url("/TransInRevert"), in)
                .submit();

        JsonNode query = dtx.awaitFinished(gid, FINISH_WITHIN);

        List<RecordedCall> calls = rm.callsFor(gid);
        assertThat(calls).extracting(RecordedCall::describe).containsExactly(
                "POST /TransOut op=action branch_id=01",
                "POST /TransIn op=action branch_id=02",
                "POST /TransInRevert op=compensate branch_id=02",
                "POST /TransOutRevert op=compensate branch_id=01");
        assertBranchCall(calls.get(0), gid, "action", "01", out);
        assertBranchCall(calls.get(1), gid, "action", "02", in);
        assertBranchCall(calls.get(2), gid, "compensate", "02", in);
        assertBranchCall(calls.get(3), gid, "compensate", "01", out);
        assertThat(calls.get(1).answeredStatus()).isEqualTo(409);
        assertThat(calls.get(3).arrivedNanos())
                .as("compensation 01 starts only after compensation 02 was answered")
                .isGreaterThan(calls.get(2).answeredNanos());
        assertThat(rm.calls()).as("nothing else reached the participant").hasSize(4);

        assertThat(DtxQuery.status(query)).isEqualTo("failed");
        assertThat(DtxQuery.branchOps(query)).containsExactly("compensate", "action", "compensate", "action");
        assertThat(DtxQuery.branchIds(query)).containsExactly("01", "01", "02", "02");
        assertThat(DtxQuery.branchStatuses(query)).containsExactly("succeed", "succeed", "succeed", "failed");
        assertThat(query.get("transaction").path("rollback_reason").asText(""))
                .as("rollback_reason of %s", query).isNotBlank();
    }

    @Test
    void sagaWithoutGidGetsA22CharacterGidFromNewGidAndRunsUnderIt() throws Exception {
        Transfer out = new Transfer("carol", 5);
        Transfer in = new Transfer("dave", 5);

        String gid = client.newSaga()
                .add(rm.url("/TransOut"), rm.url("/TransOutRevert"), out)
                .add(rm.url("/TransIn"), rm.url("/TransInRevert"), in)
                .submit();

        assertThat(gid).hasSize(22).matches("[0-9A-Za-z]{22}");
        JsonNode query = dtx.awaitFinished(gid, FINISH_WITHIN);
        assertThat(query.get("transaction").path("gid").asText()).isEqualTo(gid);
        assertThat(DtxQuery.status(query)).isEqualTo("succeed");
        assertThat(DtxQuery.branchStatuses(query)).containsExactly("prepared", "succeed", "prepared", "succeed");

        assertThat(rm.calls()).extracting(RecordedCall::gid).containsExactly(gid, gid);
        assertThat(rm.calls()).extracting(RecordedCall::describe).containsExactly(
                "POST /TransOut op=action branch_id=01",
                "POST /TransIn op=action branch_id=02");

        String second = client.newSaga()
                .add(rm.url("/TransOut"), rm.url("/TransOutRevert"), out)
                .add(rm.url("/TransIn"), rm.url("/TransInRevert"), in)
                .submit();
        assertThat(second).as("each newGid is a fresh gid").hasSize(22).isNotEqualTo(gid);
        assertThat(DtxQuery.status(dtx.awaitFinished(second, FINISH_WITHIN))).isEqualTo("succeed");
    }

    @Test
    void compensationAnswering500IsRetriedUntilItSucceedsAndOnlyThenTheSagaIsFailed() throws Exception {
        String gid = Gids.unique("java-saga-comp-retry");
        Transfer out = new Transfer("erin", 7);
        Transfer in = new Transfer("frank", 7);
        rm.on("/TransIn", Reply.failure());
        rm.on("/TransOutRevert", Reply.error(), Reply.success());

        client.newSaga(gid)
                .add(rm.url("/TransOut"), rm.url("/TransOutRevert"), out)
                .add(rm.url("/TransIn"), rm.url("/TransInRevert"), in)
                .submit();

        RecordedCall firstCompensation = rm.awaitCall(
                call -> gid.equals(call.gid()) && call.path().equals("/TransOutRevert"), FINISH_WITHIN);
        assertThat(firstCompensation).as("compensation 01 was called").isNotNull();
        JsonNode meanwhile = dtx.awaitStatus(gid, FINISH_WITHIN, "aborting", "failed", "succeed");
        assertThat(DtxQuery.status(meanwhile)).as("a 500 from a compensation is not terminal").isEqualTo("aborting");

        // The client sends retry_interval 0, so the server default of 10 s applies; as in DTM an error doubles it,
        // so the retry comes about 20 s after the 500.
        JsonNode query = dtx.awaitFinished(gid, Duration.ofSeconds(60));

        List<RecordedCall> calls = rm.callsFor(gid);
        assertThat(calls).extracting(RecordedCall::describe).containsExactly(
                "POST /TransOut op=action branch_id=01",
                "POST /TransIn op=action branch_id=02",
                "POST /TransInRevert op=compensate branch_id=02",
                "POST /TransOutRevert op=compensate branch_id=01",
                "POST /TransOutRevert op=compensate branch_id=01");
        assertThat(calls).extracting(RecordedCall::answeredStatus).containsExactly(200, 409, 200, 500, 200);
        assertBranchCall(calls.get(4), gid, "compensate", "01", out);
        assertThat(Duration.ofNanos(calls.get(4).arrivedNanos() - calls.get(3).answeredNanos()))
                .as("the retry waits for the retry interval instead of hammering the participant")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(10));

        assertThat(DtxQuery.status(query)).isEqualTo("failed");
        assertThat(DtxQuery.branchStatuses(query)).containsExactly("succeed", "succeed", "succeed", "failed");
    }

    /** What every branch call from dtx must look like: POST, DTM's four query parameters, JSON payload as body. */
    private static void assertBranchCall(RecordedCall call, String gid, String op, String branchId, Object payload)
            throws Exception {
        assertThat(call.method()).as("method of %s", call).isEqualTo("POST");
        assertThat(call.gid()).as("gid of %s", call).isEqualTo(gid);
        assertThat(call.transType()).as("trans_type of %s", call).isEqualTo("saga");
        assertThat(call.op()).as("op of %s", call).isEqualTo(op);
        assertThat(call.branchId()).as("branch_id of %s", call).isEqualTo(branchId);
        assertThat(call.header("Content-Type")).as("Content-Type of %s", call).startsWith("application/json");
        String sent = JsonUtils.toJson(payload);
        assertThat(call.body()).as("body of %s is exactly the payload the client serialised", call).isEqualTo(sent);
        assertThat(JSON.readTree(call.body())).isEqualTo(JSON.readTree(sent));
    }
}
