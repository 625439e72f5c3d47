package io.dtx.conformance.javaclient.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads {@code GET /api/dtmsvr/query?gid=...} from the coordinator, and waits for a transaction to reach a status
 * by polling it (never by sleeping a fixed time).
 */
public final class DtxQuery {

    private static final Duration POLL_EVERY = Duration.ofMillis(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public DtxQuery(URI base) {
        this.base = base;
    }

    /** The parsed query answer: {@code {"transaction":{...}, "branches":[...]}}. Fails unless the answer is 200. */
    public JsonNode query(String gid) throws IOException, InterruptedException {
        URI uri = base.resolve("/api/dtmsvr/query?gid=" + URLEncoder.encode(gid, StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /**
     * Polls the transaction until its status is one of {@code statuses}, and returns that query answer. Fails with
     * the last answer if it does not get there within {@code timeout}.
     */
    public JsonNode awaitStatus(String gid, Duration timeout, String... statuses)
            throws IOException, InterruptedException {
        Set<String> wanted = Set.of(statuses);
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (true) {
            last = query(gid);
            if (wanted.contains(status(last))) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("transaction " + gid + " did not reach " + wanted + " within "
                        + timeout.toSeconds() + " s; last query answer: " + last);
            }
            Thread.sleep(POLL_EVERY.toMillis());
        }
    }

    /** Waits until the transaction is finished ({@code succeed} or {@code failed}). */
    public JsonNode awaitFinished(String gid, Duration timeout) throws IOException, InterruptedException {
        return awaitStatus(gid, timeout, "succeed", "failed");
    }

    /** {@code transaction.status}, or null when there is no such transaction. */
    public static String status(JsonNode query) {
        JsonNode transaction = query.path("transaction");
        return transaction.isObject() ? transaction.path("status").asText(null) : null;
    }

    public static List<String> branchStatuses(JsonNode query) {
        return branchField(query, "status");
    }

    public static List<String> branchOps(JsonNode query) {
        return branchField(query, "op");
    }

    public static List<String> branchIds(JsonNode query) {
        return branchField(query, "branch_id");
    }

    public static List<String> branchUrls(JsonNode query) {
        return branchField(query, "url");
    }

    private static List<String> branchField(JsonNode query, String field) {
        List<String> values = new ArrayList<>();
        for (JsonNode branch : query.path("branches")) {
            values.add(branch.path(field).asText(null));
        }
        return values;
    }
}
