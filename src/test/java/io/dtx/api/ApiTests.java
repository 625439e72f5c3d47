package io.dtx.api;

import static io.dtx.testing.Coordinator.awaitStatus;
import static io.dtx.testing.Coordinator.post;
import static io.dtx.testing.Coordinator.state;
import static io.dtx.testing.Coordinator.submit;
import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.dtx.testing.Db;
import io.dtx.testing.Participant.Answer;
import io.dtx.testing.ParticipantTestBase;
import io.dtx.testing.PostgresResource;
import io.dtx.testing.Tx;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The coordinator's own endpoints (§1.3; §13.1 items 1, 2 and 26). */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ApiTests extends ParticipantTestBase {

    @Test
    void newGidAnswersAShortUuidWithSuccessAsStrings() {
        JsonPath a = when().get("/api/dtmsvr/newGid").then().statusCode(200).extract().jsonPath();
        JsonPath b = when().get("/api/dtmsvr/newGid").then().statusCode(200).extract().jsonPath();
        assertThat(a.getString("gid")).matches("[2-9A-HJ-NP-Za-km-z]{22}");
        assertThat(a.getString("gid")).isNotEqualTo(b.getString("gid"));
        assertThat(a.getMap("").values()).allMatch(v -> v instanceof String);
        assertThat(a.getString("dtm_result")).isEqualTo("SUCCESS");
    }

    @Test
    void pingAnswersPongToAnyMethod() {
        for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
            given().when().request(method, "/api/ping").then().statusCode(200).body(equalTo("{\"msg\":\"pong\"}"));
        }
    }

    @Test
    void versionNamesTheDtmProtocolVersion() {
        when().get("/api/dtmsvr/version").then().statusCode(200).body("version", equalTo("v1.19.0"))
                .body("server", equalTo("dtx"));
    }

    @Test
    void queryOfAnUnknownGidAnswersNullTransactionAndNoBranches() {
        given().queryParam("gid", "no-such-gid").when().get("/api/dtmsvr/query").then().statusCode(200)
                .body(equalTo("{\"transaction\":null,\"branches\":[]}"));
    }

    @Test
    void queryWithoutGidIsABadRequest() {
        when().get("/api/dtmsvr/query").then().statusCode(400).body("message", equalTo(
                "gid is required (query parameter ?gid=...)"));
    }

    @Test
    void queryShowsStoredObjectsInDtmShape() {
        String gid = gid("shape");
        submit(Tx.saga(gid).step(p.url("/a"), p.url("/b"), "{\"x\":1}").set("branch_headers", Map.of("K", "V"))
                .waitResult()).then().statusCode(200);
        JsonPath json = state(gid).json();
        Map<String, Object> tx = json.getMap("transaction");
        assertThat(tx).containsKeys("id", "create_time", "update_time", "gid", "trans_type", "status",
                "query_prepared", "protocol", "finish_time", "rollback_reason", "options", "custom_data",
                "next_cron_interval", "next_cron_time", "owner", "ext_data", "result", "concurrent");
        assertThat(tx.get("id")).isInstanceOf(Integer.class);
        assertThat(tx.get("next_cron_interval")).isEqualTo(10);
        assertThat(tx.get("protocol")).isEqualTo("http");
        assertThat((String) tx.get("options"))
                .isEqualTo("{\"wait_result\":true,\"branch_headers\":{\"K\":\"V\"},\"concurrent\":false}");
        String rfc3339 = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?[+-]\\d\\d:\\d\\d";
        assertThat((String) tx.get("create_time")).matches(rfc3339);
        OffsetDateTime.parse((String) tx.get("finish_time"));
        assertThat(tx).doesNotContainKey("rollback_time");
        Map<String, Object> branch = json.getMap("branches[1]");
        assertThat(branch).containsEntry("bin_data", "eyJ4IjoxfQ==").containsEntry("branch_id", "01")
                .containsEntry("op", "action").containsEntry("url", p.url("/a")).containsEntry("status", "succeed");
        assertThat((String) branch.get("finish_time")).matches(rfc3339);
    }

    @Test
    void allPagesNewestFirstWithNextPositionAndFilters() {
        String prefix = gid("page");
        long before = System.currentTimeMillis() - 1000;
        for (int i = 0; i < 5; i++) {
            submit(Tx.saga(prefix + "-" + i).step("", "", "{}").waitResult()).then().statusCode(200);
        }
        post("prepare", Tx.msg(prefix + "-msg").set("query_prepared", p.url("/q")).json()).then().statusCode(200);
        long after = System.currentTimeMillis() + 1000;

        JsonPath first = given().queryParam("limit", 3).when().get("/api/dtmsvr/all").then().statusCode(200).extract()
                .jsonPath();
        List<Integer> ids = first.getList("transactions.id");
        assertThat(ids).hasSize(3).isSortedAccordingTo((x, y) -> y - x);
        String next = first.getString("next_position");
        assertThat(next).isEqualTo(ids.get(2).toString());
        List<Integer> more = given().queryParam("limit", 3).queryParam("position", next).when()
                .get("/api/dtmsvr/all").then().statusCode(200).extract().jsonPath().getList("transactions.id");
        assertThat(more).allMatch(id -> id < ids.get(2));

        JsonPath msgs = given().queryParam("transType", "msg").queryParam("status", "prepared")
                .queryParam("createTimeStart", before).queryParam("createTimeEnd", after).when()
                .get("/api/dtmsvr/all").then().statusCode(200).extract().jsonPath();
        assertThat(msgs.getList("transactions.gid")).contains(prefix + "-msg")
                .allMatch(g -> !((String) g).startsWith(prefix + "-") || g.equals(prefix + "-msg"));
        assertThat(msgs.getList("transactions.status")).containsOnly("prepared");

        given().queryParam("createTimeEnd", before - 3_600_000).when().get("/api/dtmsvr/all").then()
                .statusCode(200).body("transactions.gid", not(org.hamcrest.Matchers.hasItem(prefix + "-0")));
        given().queryParam("gid", prefix + "-2").when().get("/api/dtmsvr/all").then().statusCode(200)
                .body("transactions.gid", equalTo(List.of(prefix + "-2"))).body("next_position", equalTo(""));
        given().queryParam("limit", "x").when().get("/api/dtmsvr/all").then().statusCode(400)
                .body("message", equalTo("limit must be a whole number, not 'x'"));
        given().queryParam("status", "done").when().get("/api/dtmsvr/all").then().statusCode(400);
    }

    @Test
    void lastPageHasAnEmptyNextPosition() {
        JsonPath all = given().queryParam("limit", 1000).when().get("/api/dtmsvr/all").then().statusCode(200)
                .extract().jsonPath();
        assertThat(all.getString("next_position")).isEmpty();
    }

    @Test
    void forceStopFailsAnUnfinishedTransactionWithoutCompensationAndRefusesAFinishedOne() {
        String gid = gid("stop");
        p.always("/stop0", Answer.ongoing());
        submit(Tx.saga(gid).step(p.url("/stop0"), p.url("/stop0Revert"), "{}")).then().statusCode(200);
        p.awaitCall(c -> gid.equals(c.gid()), WAIT);
        awaitRoundEnded(gid);

        post("forceStop", Tx.json(Map.of("gid", gid))).then().statusCode(200)
                .body(equalTo("{\"dtm_result\":\"SUCCESS\"}"));
        assertThat(state(gid).status()).isEqualTo("failed");
        assertThat(p.pathsFor(gid)).containsExactly("/stop0");
        post("forceStop", Tx.json(Map.of("gid", gid))).then().statusCode(409)
                .body("dtm_result", equalTo("FAILURE"));
        post("forceStop", Tx.json(Map.of("gid", "unknown-" + gid))).then().statusCode(404)
                .body("message", equalTo("no transaction with gid 'unknown-" + gid + "'"));
    }

    @Test
    void resetNextCronTimeMakesATransactionDueNow() {
        String gid = gid("reset");
        post("prepare", Tx.msg(gid).set("query_prepared", p.url("/q")).json()).then().statusCode(200);
        assertThat(Db.count("SELECT count(*) FROM trans_global WHERE gid = ? AND next_cron_time > now() + interval '30 s'",
                gid)).isEqualTo(1);
        post("resetNextCronTime", Tx.json(Map.of("gid", gid))).then().statusCode(200)
                .body(equalTo("{\"dtm_result\":\"SUCCESS\"}"));
        assertThat(Db.count("SELECT count(*) FROM trans_global WHERE gid = ? AND next_cron_time <= now()", gid))
                .isEqualTo(1);
        post("resetNextCronTime", Tx.json(Map.of("gid", "nope-" + gid))).then().statusCode(404);
    }

    @Test
    void resetCronTimeMovesFarSchedulesToNowWithinTheLimit() {
        String prefix = gid("rct");
        for (int i = 0; i < 3; i++) {
            post("prepare", Tx.msg(prefix + i).set("query_prepared", p.url("/q")).set("timeout_to_fail", 5000).json())
                    .then().statusCode(200);
        }
        JsonPath first = given().queryParam("timeout", 4000).queryParam("limit", 2).when()
                .get("/api/dtmsvr/resetCronTime").then().statusCode(200).extract().jsonPath();
        assertThat(first.getInt("succeed_count")).isEqualTo(2);
        assertThat(first.getBoolean("has_remaining")).isTrue();
        JsonPath second = given().queryParam("timeout", 4000).queryParam("limit", 2).when()
                .get("/api/dtmsvr/resetCronTime").then().statusCode(200).extract().jsonPath();
        assertThat(second.getInt("succeed_count")).isEqualTo(1);
        assertThat(second.getBoolean("has_remaining")).isFalse();
        assertThat(Db.count("SELECT count(*) FROM trans_global WHERE gid LIKE ? AND next_cron_time <= now()",
                prefix + "%")).isEqualTo(3);
    }

    @Test
    void successRepliesNeverCarryFailureOrOngoing() {
        String gid = gid("clean");
        submit(Tx.saga(gid).step(p.url("/cleanFAILURE"), "", "{}")).then().statusCode(200)
                .body(equalTo("{\"dtm_result\":\"SUCCESS\"}"));
        awaitStatus(gid, "succeed", WAIT);
        when().get("/api/dtmsvr/newGid").then().body(not(org.hamcrest.Matchers.containsString("FAILURE")));
    }

    @Test
    void unknownRouteIs404() {
        when().get("/api/dtmsvr/nope").then().statusCode(404).body("$", hasKey("message"));
    }

    @Test
    void metricsAreServedAtApiMetrics() {
        when().get("/api/metrics").then().statusCode(200).body(matchesPattern("(?s).*# TYPE .*"));
    }

    @Test
    void healthIsUpWithTheDatabase() {
        when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name.contains('Reactive PostgreSQL') }", not(nullValue()));
    }
}
