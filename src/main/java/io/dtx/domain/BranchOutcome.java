package io.dtx.domain;

/**
 * What a participant answered, classified by DTM's rules. A failure to reach the participant is an {@link Kind#ERROR}
 * like any other unexpected reply: outcomes are values, never exceptions.
 */
public record BranchOutcome(Kind kind, String detail) {

    public enum Kind {
        SUCCESS,
        FAILURE,
        ONGOING,
        ERROR
    }

    /** Longest detail kept; participant bodies end up in rollback reasons and logs. */
    public static final int MAX_DETAIL = 1024;

    public BranchOutcome {
        detail = detail == null ? "" : detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "…" : detail;
        // A participant's body may hold NUL characters, which PostgreSQL text cannot store.
        detail = detail.indexOf('\u0000') < 0 ? detail : detail.replace('\u0000', '\uFFFD');
    }

    public static BranchOutcome success() {
        return new BranchOutcome(Kind.SUCCESS, "");
    }

    public static BranchOutcome failure(String detail) {
        return new BranchOutcome(Kind.FAILURE, detail);
    }

    public static BranchOutcome ongoing(String detail) {
        return new BranchOutcome(Kind.ONGOING, detail);
    }

    public static BranchOutcome error(String detail) {
        return new BranchOutcome(Kind.ERROR, detail);
    }

    /**
     * DTM's HTTP rule (§2.1), in its order: 425 or a body containing ONGOING is ongoing; else 409 or a body containing
     * FAILURE is a failure; else anything but exactly 200 is an error; else success.
     */
    public static BranchOutcome ofHttp(int status, String body) {
        String text = body == null ? "" : body;
        if (status == 425 || text.contains("ONGOING")) {
            return ongoing(describe(status, text));
        }
        if (status == 409 || text.contains("FAILURE")) {
            return failure(describe(status, text));
        }
        if (status != 200) {
            return error(describe(status, text));
        }
        return success();
    }

    private static String describe(int status, String body) {
        return body.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + body;
    }

    public boolean isSuccess() {
        return kind == Kind.SUCCESS;
    }
}
