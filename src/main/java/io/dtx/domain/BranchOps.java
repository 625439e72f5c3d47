package io.dtx.domain;

/** The op names DTM sends to participants in the {@code op} query parameter. */
public final class BranchOps {
    public static final String ACTION = "action";
    public static final String COMPENSATE = "compensate";
    public static final String MSG = "msg";
    public static final String TRY = "try";
    public static final String CONFIRM = "confirm";
    public static final String CANCEL = "cancel";
    public static final String COMMIT = "commit";
    public static final String ROLLBACK = "rollback";

    /** Branch id of the msg query-prepared check-back (and of the workflow callback). */
    public static final String CHECK_BACK_BRANCH_ID = "00";

    private BranchOps() {
    }

    /** DTM's branch id for the step at 0-based position {@code index}: {@code 01}, {@code 02}, ... {@code 100}. */
    public static String stepBranchId(int index) {
        return String.format("%02d", index + 1);
    }
}
