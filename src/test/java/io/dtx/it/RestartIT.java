package io.dtx.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.dtx.testing.DtxProcess;
import io.dtx.testing.Participant;
import io.dtx.testing.Participant.Call;
import io.dtx.testing.Remote;
import io.dtx.testing.Tx;
import io.restassured.path.json.JsonPath;

/**
 * The packaged jar with no database configured (its embedded PostgreSQL, data in a folder): sagas accepted while
 * their participant is down survive a graceful stop and a crash (SIGKILL), and finish once the participant is back,
 * with no branch called after the success was recorded.
 */
class RestartIT {

    @Test
    void acceptedSagasSurviveStopAndCrashAndFinishWhenTheParticipantReturns() throws Exception {
        Path data = Files.createTempDirectory("dtx-restart");
        int participantPort = DtxProcess.freePort();
        int port = DtxProcess.freePort();
        Map<String, String> env = Map.of("DTX_EMBEDDED_DATA_DIR", data.toString(), "DTX_RECOVERY_POLL_INTERVAL", "1s");
        String base = "http://127.0.0.1:" + participantPort;

        DtxProcess first = DtxProcess.start("restart-1", port, env);
        Remote api = new Remote(first.baseUrl());
        api.post("submit", saga("restart-graceful", base).json()).then().statusCode(200);
        JsonPath pending = api.awaitStatus("restart-graceful", "submitted", Duration.ofSeconds(5));
        first.stop(); // SIGTERM

        DtxProcess second = DtxProcess.start("restart-2", port, env);
        api = new Remote(second.baseUrl());
        assertThat(api.status("restart-graceful")).isEqualTo("submitted");
        api.post("submit", saga("restart-crash", base).json()).then().statusCode(200);
        second.kill(); // SIGKILL: its PostgreSQL is left running, its rounds unfinished

        try (DtxProcess third = DtxProcess.start("restart-3", port, env);
                Participant participant = Participant.startOn(participantPort)) {
            api = new Remote(third.baseUrl());
            for (String gid : new String[] { "restart-graceful", "restart-crash" }) {
                JsonPath done = api.awaitStatus(gid, "succeed", Duration.ofSeconds(60));
                Instant recorded = Remote.finishTime(done).toInstant();
                assertThat(participant.pathsFor(gid)).containsExactly("/out", "/in");
                for (Call c : participant.callsFor(gid)) {
                    assertThat(c.at()).as("call %s of %s", c.path(), gid).isBefore(recorded);
                }
                assertThat(done.getList("branches.status")).containsExactly("prepared", "succeed", "prepared",
                        "succeed");
            }
            assertThat(pending.getList("branches.attempts", Integer.class).get(1)).isGreaterThanOrEqualTo(1);
            assertThat(third.log()).contains("embedded PostgreSQL on 127.0.0.1");
        }
    }

    private static Tx saga(String gid, String base) {
        return Tx.saga(gid).step(base + "/out", base + "/outRevert", "{\"amount\":30}")
                .step(base + "/in", base + "/inRevert", "{\"amount\":30}").set("retry_interval", 1);
    }
}
