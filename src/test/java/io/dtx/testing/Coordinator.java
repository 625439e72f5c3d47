package io.dtx.testing;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.List;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Calls the coordinator under test over HTTP, as a client would. */
public final class Coordinator {

    private Coordinator() {
    }

    public static Response post(String route, String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/dtmsvr/" + route);
    }

    public static Response submit(Tx tx) {
        return post("submit", tx.json());
    }

    public static Response prepare(Tx tx) {
        return post("prepare", tx.json());
    }

    public static Response query(String gid) {
        return given().queryParam("gid", gid).when().get("/api/dtmsvr/query");
    }

    /** What {@code query} shows of a transaction. */
    public record State(String status, String rollbackReason, List<String> branchStatuses, List<String> ops,
            List<Integer> attempts, int nextCronInterval, JsonPath json) {
    }

    public static State state(String gid) {
        JsonPath json = query(gid).then().statusCode(200).extract().jsonPath();
        String status = json.getString("transaction.status");
        Integer interval = json.get("transaction.next_cron_interval");
        return new State(status, json.getString("transaction.rollback_reason"), json.getList("branches.status"),
                json.getList("branches.op"), json.getList("branches.attempts"), interval == null ? 0 : interval,
                json);
    }

    /** Waits until the transaction reaches {@code status}; fails with its last state otherwise. */
    public static State awaitStatus(String gid, String status, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        State last = null;
        while (System.nanoTime() < end) {
            last = state(gid);
            if (status.equals(last.status())) {
                return last;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("gid " + gid + " did not reach " + status + " within " + timeout + "; last state: "
                + (last == null ? "none" : last.json().prettify()));
    }
}
