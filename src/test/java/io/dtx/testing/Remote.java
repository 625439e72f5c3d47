package io.dtx.testing;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.time.OffsetDateTime;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The HTTP API of a dtx process started by a test. */
public final class Remote {
    private final String baseUrl;

    public Remote(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public Response post(String route, String body) {
        return given().baseUri(baseUrl).contentType(ContentType.JSON).body(body).when().post("/api/dtmsvr/" + route);
    }

    public JsonPath query(String gid) {
        return given().baseUri(baseUrl).queryParam("gid", gid).when().get("/api/dtmsvr/query").then().statusCode(200)
                .extract().jsonPath();
    }

    public String status(String gid) {
        return query(gid).getString("transaction.status");
    }

    public JsonPath awaitStatus(String gid, String status, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        JsonPath last = null;
        while (System.nanoTime() < end) {
            last = query(gid);
            if (status.equals(last.getString("transaction.status"))) {
                return last;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError(gid + " not " + status + " within " + timeout + ": "
                + (last == null ? "" : last.prettify()));
    }

    public static OffsetDateTime finishTime(JsonPath tx) {
        return OffsetDateTime.parse(tx.getString("transaction.finish_time"));
    }
}
