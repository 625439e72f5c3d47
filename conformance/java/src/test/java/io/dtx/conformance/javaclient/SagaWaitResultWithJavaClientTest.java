package io.dtx.conformance.javaclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import feign.FeignException;
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
import pub.dtm.client.exception.FailureException;

/**
 * {@code Saga.enableWaitResult()} sends {@code wait_result: true}; dtx then answers the submit only after the
 * processing round, 200 when the saga succeeded and 409 when it rolled back. dtmcli-java's {@code submit()} goes
 * through Feign, whose default error decoder turns any status of 300 or more into a {@link FeignException}, which
 * {@code submit()} wraps into a {@link FailureException}. So the result is visible to the caller without polling.
 */
@ExtendWith(DtxServer.class)
class SagaWaitResultWithJavaClientTest {

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
    void waitResultSagaThatSucceedsReturnsFromSubmitOnlyAfterBothActionsSucceeded() throws Exception {
        String gid = Gids.unique("java-wait-ok");

        String returned = client.newSaga(gid)
                .add(rm.url("/TransOut"), rm.url("/TransOutRevert"), new Transfer("alice", 11))
                .add(rm.url("/TransIn"), rm.url("/TransInRevert"), new Transfer("bob", 11))
                .enableWaitResult()
                .submit();
        assertThat(returned).isEqualTo(gid);

        // No polling: with wait_result the work is done when submit() returns.
        List<RecordedCall> calls = rm.callsFor(gid);
        assertThat(calls).extracting(RecordedCall::describe).containsExactly(
                "POST /TransOut op=action branch_id=01",
                "POST /TransIn op=action branch_id=02");
        assertThat(calls).extracting(RecordedCall::answeredStatus).containsExactly(200, 200);

        JsonNode query = dtx.query(gid);
        assertThat(DtxQuery.status(query)).as("status right after submit() returned").isEqualTo("succeed");
        assertThat(DtxQuery.branchStatuses(query)).containsExactly("prepared", "succeed", "prepared", "succeed");
    }

    @Test
    void waitResultSagaThatRollsBackMakesSubmitThrowAfterTheCompensations() throws Exception {
        String gid = Gids.unique("java-wait-rollback");
        rm.on("/TransIn", Reply.failure());

        Throwable thrown = catchThrowable(() -> client.newSaga(gid)
                .add(rm.url("/TransOut"), rm.url("/TransOutRevert"), new Transfer("alice", 12))
                .add(rm.url("/TransIn"), rm.url("/TransInRevert"), new Transfer("bob", 12))
                .enableWaitResult()
                .submit());

        assertThat(thrown).isInstanceOf(FailureException.class).hasCauseInstanceOf(FeignException.class);
        FeignException answer = (FeignException) thrown.getCause();
        assertThat(answer.status()).as("submit answer: %s", answer.contentUTF8()).isEqualTo(409);
        assertThat(answer.contentUTF8()).contains("FAILURE");

        List<RecordedCall> calls = rm.callsFor(gid);
        assertThat(calls).extracting(RecordedCall::describe).containsExactly(
                "POST /TransOut op=action branch_id=01",
                "POST /TransIn op=action branch_id=02",
                "POST /TransInRevert op=compensate branch_id=02",
                "POST /TransOutRevert op=compensate branch_id=01");

        JsonNode query = dtx.query(gid);
        assertThat(DtxQuery.status(query)).as("status right after submit() threw").isEqualTo("failed");
        assertThat(DtxQuery.branchStatuses(query)).containsExactly("succeed", "succeed", "succeed", "failed");
        assertThat(query.get("transaction").path("rollback_reason").asText("")).isNotBlank();
    }
}
