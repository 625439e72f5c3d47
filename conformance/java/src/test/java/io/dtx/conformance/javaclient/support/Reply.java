package io.dtx.conformance.javaclient.support;

import java.util.Objects;

/**
 * One scripted answer of a {@link Participant}: an HTTP status and a body, optionally held back until a
 * {@link Gate} opens.
 */
public final class Reply {

    private final int status;
    private final String body;
    private final Gate gate;

    private Reply(int status, String body, Gate gate) {
        this.status = status;
        this.body = Objects.requireNonNull(body);
        this.gate = gate;
    }

    /** 200 {"dtm_result":"SUCCESS"}: the branch succeeded. */
    public static Reply success() {
        return new Reply(200, "{\"dtm_result\":\"SUCCESS\"}", null);
    }

    /** 409 {"dtm_result":"FAILURE"}: the branch failed for good (terminal for a saga action). */
    public static Reply failure() {
        return new Reply(409, "{\"dtm_result\":\"FAILURE\"}", null);
    }

    /** 425 {"dtm_result":"ONGOING"}: not done yet, ask again later. */
    public static Reply ongoing() {
        return new Reply(425, "{\"dtm_result\":\"ONGOING\"}", null);
    }

    /** 500 with a body that names neither FAILURE nor ONGOING: a transient error, to be retried. */
    public static Reply error() {
        return new Reply(500, "{\"error\":\"scripted internal error\"}", null);
    }

    public static Reply of(int status, String body) {
        return new Reply(status, body, null);
    }

    /** The same answer, sent only once {@code gate} is opened (or after {@link Gate#MAX_HOLD}). */
    public Reply heldBy(Gate gate) {
        return new Reply(status, body, Objects.requireNonNull(gate));
    }

    public int status() {
        return status;
    }

    public String body() {
        return body;
    }

    Gate gate() {
        return gate;
    }

    @Override
    public String toString() {
        return status + " " + body + (gate == null ? "" : " (held)");
    }
}
