package io.dtx.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.dtx.testing.Db;
import io.dtx.testing.PostgresResource;
import io.dtx.testing.Tx;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Every malformed request is refused with 400 and a message naming the problem, and writes nothing. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class BadInputTests {

    record Case(String name, String route, String body, String message) {
    }

    private static final String OK_URL = "http://127.0.0.1:9/ok";

    private static Map<String, Object> saga(String gid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gid", gid);
        m.put("trans_type", "saga");
        m.put("steps", List.of(Map.of("action", OK_URL, "compensate", OK_URL)));
        m.put("payloads", List.of("{}"));
        return m;
    }

    private static String with(String field, Object value) {
        Map<String, Object> m = saga("bad-" + field);
        m.put(field, value);
        return Tx.json(m);
    }

    private static String without(String field) {
        Map<String, Object> m = saga("bad-no-" + field);
        m.remove(field);
        return Tx.json(m);
    }

    private static String withStep(String action) {
        Map<String, Object> m = saga("bad-url");
        m.put("steps", List.of(Map.of("action", action, "compensate", OK_URL)));
        return Tx.json(m);
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("malformed JSON", "submit", "{\"gid\":\"x\",", "malformed JSON at line 1"));
        c.add(new Case("not an object", "submit", "[1,2]", "request body must be a JSON object, not a list"));
        c.add(new Case("empty body", "submit", "", "request body is empty"));
        c.add(new Case("missing gid", "submit", without("gid"), "gid is required"));
        c.add(new Case("empty gid", "submit", with("gid", ""), "gid is required"));
        c.add(new Case("numeric gid", "submit", with("gid", 42), "gid must be a string, not the number 42"));
        c.add(new Case("gid too long", "submit", with("gid", "g".repeat(129)),
                "gid is 129 characters long; the limit is 128"));
        c.add(new Case("gid with newline", "submit", with("gid", "a\nb"), "gid must not contain control characters"));
        c.add(new Case("missing trans_type", "submit", without("trans_type"), "trans_type is required"));
        c.add(new Case("unknown trans_type", "submit", with("trans_type", "sagaa"), "unknown trans_type 'sagaa'"));
        c.add(new Case("payload count", "submit", with("payloads", List.of("{}", "{}")),
                "payloads has 2 entries but steps has 1"));
        c.add(new Case("no payloads", "submit", without("payloads"), "payloads has 0 entries but steps has 1"));
        c.add(new Case("payload not a string", "submit", with("payloads", List.of(Map.of("a", 1))),
                "payloads[0] must be a string"));
        c.add(new Case("steps not a list", "submit", with("steps", "x"), "steps must be a list"));
        c.add(new Case("step not an object", "submit", with("steps", List.of("x")), "steps[0] must be an object"));
        c.add(new Case("malformed URL", "submit", withStep("http://exa mple.com/x"), "steps[0].action: malformed URL"));
        c.add(new Case("not http", "submit", withStep("ftp://host/x"), "must start with http:// or https://"));
        c.add(new Case("no host", "submit", withStep("http:///x"), "has no host"));
        c.add(new Case("metadata v4", "submit", withStep("http://169.254.169.254/latest/meta-data"),
                "link-local or a cloud metadata address"));
        c.add(new Case("metadata v6", "submit", withStep("http://[fd00:ec2::254]/x"),
                "link-local or a cloud metadata address"));
        c.add(new Case("URL too long", "submit", withStep("http://h/" + "x".repeat(2100)),
                "characters long; the limit is 2048"));
        c.add(new Case("negative timeout", "submit", with("timeout_to_fail", -1), "timeout_to_fail must not be negative"));
        c.add(new Case("string timeout", "submit", with("request_timeout", "10"),
                "request_timeout must be a whole number, not a string"));
        c.add(new Case("fractional interval", "submit", with("retry_interval", 1.5),
                "retry_interval must be a whole number"));
        c.add(new Case("bad wait_result", "submit", with("wait_result", "yes"), "wait_result must be true or false"));
        c.add(new Case("custom_data not JSON", "submit", with("custom_data", "{oops"), "custom_data is not valid JSON"));
        c.add(new Case("orders out of range", "submit", with("custom_data", "{\"concurrent\":true,\"orders\":{\"0\":[3]}}"),
                "custom_data.orders: step 0 depends on step 3 but the saga has 1 steps"));
        c.add(new Case("custom_data too long", "submit", with("custom_data", "{\"x\":\"" + "y".repeat(70_000) + "\"}"),
                "custom_data is 70008 characters long; the limit is 65536"));
        c.add(new Case("bad header name", "submit", with("branch_headers", Map.of("Bad Header", "v")),
                "branch_headers: 'Bad Header' is not a valid header name"));
        c.add(new Case("header injection", "submit", with("branch_headers", Map.of("X", "a\r\nHost: evil")),
                "branch_headers.X contains a line break"));
        c.add(new Case("grpc over http", "submit", with("protocol", "grpc"), "protocol 'grpc' is not supported over HTTP"));
        c.add(new Case("saga prepare", "prepare", Tx.json(saga("bad-prep")), "a saga is not prepared"));
        c.add(new Case("tcc not yet", "submit", with("trans_type", "tcc"), "trans_type 'tcc' is not supported"));
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("gid", "bad-msg");
        msg.put("trans_type", "msg");
        msg.put("steps", List.of(Map.of("action", OK_URL)));
        msg.put("payloads", List.of("{}"));
        c.add(new Case("msg prepare without query_prepared", "prepare", Tx.json(msg), "query_prepared is required"));
        Map<String, Object> delayed = new LinkedHashMap<>(msg);
        delayed.put("custom_data", "{\"delay\":-5}");
        c.add(new Case("negative delay", "submit", Tx.json(delayed), "custom_data.delay must be a whole number"));
        Map<String, Object> topic = new LinkedHashMap<>(msg);
        topic.put("steps", List.of(Map.of("action", "topic://orders")));
        c.add(new Case("unknown topic", "submit", Tx.json(topic), "topic 'orders' not found"));
        Map<String, Object> many = saga("bad-many");
        List<Map<String, String>> steps = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            steps.add(Map.of("action", "", "compensate", ""));
            payloads.add("");
        }
        many.put("steps", steps);
        many.put("payloads", payloads);
        c.add(new Case("too many steps", "submit", Tx.json(many), "steps has 1001 entries; the limit is 1000"));
        c.add(new Case("abort without trans_type", "abort", "{\"gid\":\"x\"}", "trans_type is required"));
        c.add(new Case("NUL in rollback_reason", "abort",
                "{\"gid\":\"x\",\"trans_type\":\"msg\",\"rollback_reason\":\"a\\u0000b\"}",
                "rollback_reason must not contain NUL characters"));
        c.add(new Case("NUL in a header", "submit", with("branch_headers", Map.of("X", "a\u0000b")),
                "branch_headers.X contains a line break or NUL"));
        c.add(new Case("forceStop without gid", "forceStop", "{}", "gid is required"));
        c.add(new Case("resetNextCronTime malformed", "resetNextCronTime", "gid=x", "malformed JSON"));
        return c;
    }

    @Test
    void eachMalformedRequestIsRefusedWithAClearMessageAndNothingIsStored() {
        long transactions = Db.count("SELECT count(*) FROM trans_global");
        long branches = Db.count("SELECT count(*) FROM trans_branch_op");
        for (Case c : cases()) {
            Response r = given().contentType("application/json").body(c.body()).when().post("/api/dtmsvr/" + c.route());
            assertThat(r.statusCode()).as(c.name() + ": " + r.asString()).isEqualTo(400);
            assertThat(r.jsonPath().getString("message")).as(c.name()).contains(c.message());
            assertThat(r.asString()).as(c.name()).doesNotContain("SUCCESS");
        }
        assertThat(Db.count("SELECT count(*) FROM trans_global")).isEqualTo(transactions);
        assertThat(Db.count("SELECT count(*) FROM trans_branch_op")).isEqualTo(branches);
    }

    @Test
    void oversizedBodyIsRefusedBeforeParsing() {
        long transactions = Db.count("SELECT count(*) FROM trans_global");
        String huge = with("custom_data", "x".repeat(5 * 1024 * 1024));
        Response r = given().contentType("application/json").body(huge).when().post("/api/dtmsvr/submit");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.jsonPath().getString("message")).startsWith("request body is ")
                .endsWith("the limit is 4194304 (dtx.limits.max-request-bytes)");
        assertThat(Db.count("SELECT count(*) FROM trans_global")).isEqualTo(transactions);
    }
}
