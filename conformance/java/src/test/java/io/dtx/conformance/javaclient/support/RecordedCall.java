package io.dtx.conformance.javaclient.support;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One request a {@link Participant} received, with what it answered. {@code seq} is the arrival order across the
 * whole participant; the nano times come from {@link System#nanoTime()} and can be compared with each other.
 */
public final class RecordedCall {

    private final long seq;
    private final String method;
    private final String path;
    private final Map<String, String> query;
    private final Map<String, List<String>> headers;
    private final String body;
    private final Instant arrivedAt;
    private final long arrivedNanos;
    private volatile int answeredStatus;
    private volatile long answeredNanos;

    RecordedCall(long seq, String method, String path, Map<String, String> query, Map<String, List<String>> headers,
                 String body, Instant arrivedAt, long arrivedNanos) {
        this.seq = seq;
        this.method = method;
        this.path = path;
        this.query = Map.copyOf(query);
        this.headers = Map.copyOf(headers);
        this.body = body;
        this.arrivedAt = arrivedAt;
        this.arrivedNanos = arrivedNanos;
    }

    void answered(int status, long nanos) {
        this.answeredStatus = status;
        this.answeredNanos = nanos;
    }

    public long seq() {
        return seq;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The decoded query parameters (first value of each). */
    public Map<String, String> query() {
        return query;
    }

    public String queryParam(String name) {
        return query.get(name);
    }

    public String gid() {
        return query.get("gid");
    }

    public String op() {
        return query.get("op");
    }

    public String branchId() {
        return query.get("branch_id");
    }

    public String transType() {
        return query.get("trans_type");
    }

    /** Header names in lower case. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String body() {
        return body;
    }

    public Instant arrivedAt() {
        return arrivedAt;
    }

    public long arrivedNanos() {
        return arrivedNanos;
    }

    /** The status sent back, or 0 while the answer has not been sent. */
    public int answeredStatus() {
        return answeredStatus;
    }

    /** When the answer started to be written; 0 while not answered. */
    public long answeredNanos() {
        return answeredNanos;
    }

    /** Short form used in assertion messages, e.g. {@code POST /TransIn op=action branch_id=02}. */
    public String describe() {
        return method + " " + path + " op=" + op() + " branch_id=" + branchId();
    }

    @Override
    public String toString() {
        return "#" + seq + " " + method + " " + path + " " + query + " body=" + body + " -> " + answeredStatus;
    }
}
