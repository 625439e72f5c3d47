package io.dtx.domain;

/**
 * One branch operation during a processing round: the stored row plus what happened to it in this round. The msg
 * check-back is represented by a virtual branch ({@link #isStored()} false) that is never written.
 */
public final class BranchState {
    private final long id;
    private final String branchId;
    private final String op;
    private final String url;
    private final byte[] data;
    private BranchStatus status;
    private int attempts;
    private String lastError;
    private boolean startedThisRound;
    private boolean inFlight;
    private boolean changed;
    private BranchOutcome lastOutcome;

    public BranchState(long id, String branchId, String op, String url, byte[] data, BranchStatus status, int attempts,
            String lastError) {
        this.id = id;
        this.branchId = branchId;
        this.op = op;
        this.url = url == null ? "" : url;
        this.data = data == null ? new byte[0] : data;
        this.status = status;
        this.attempts = attempts;
        this.lastError = lastError == null ? "" : lastError;
    }

    /** The virtual branch for a msg query-prepared check-back. */
    public static BranchState checkBack(String url) {
        return new BranchState(0, BranchOps.CHECK_BACK_BRANCH_ID, BranchOps.MSG, url, new byte[0],
                BranchStatus.PREPARED, 0, "");
    }

    public boolean isStored() {
        return id > 0;
    }

    public long id() {
        return id;
    }

    public String branchId() {
        return branchId;
    }

    public String op() {
        return op;
    }

    public String url() {
        return url;
    }

    public byte[] data() {
        return data;
    }

    public BranchStatus status() {
        return status;
    }

    public int attempts() {
        return attempts;
    }

    public String lastError() {
        return lastError;
    }

    public boolean startedThisRound() {
        return startedThisRound;
    }

    public boolean inFlight() {
        return inFlight;
    }

    public boolean changed() {
        return changed;
    }

    public BranchOutcome lastOutcome() {
        return lastOutcome;
    }

    public boolean is(BranchStatus s) {
        return status == s;
    }

    void start() {
        startedThisRound = true;
        inFlight = true;
    }

    /**
     * Records the participant's answer.
     *
     * @param called false when no call was made (an empty URL counts as success without a call)
     * @param failureIsTerminal whether FAILURE ends this op (a saga action) or is retried like an error
     */
    void complete(BranchOutcome outcome, boolean called, boolean failureIsTerminal) {
        inFlight = false;
        lastOutcome = outcome;
        if (called) {
            attempts++;
            changed = true;
        }
        switch (outcome.kind()) {
            case SUCCESS -> {
                status = BranchStatus.SUCCEED;
                lastError = "";
                changed = true;
            }
            case FAILURE -> {
                if (failureIsTerminal) {
                    status = BranchStatus.FAILED;
                }
                lastError = outcome.detail();
                changed = true;
            }
            case ONGOING, ERROR -> {
                lastError = outcome.detail();
                changed = true;
            }
        }
    }

    void markPersisted() {
        changed = false;
    }

    @Override
    public String toString() {
        return branchId + "/" + op + "=" + status + (inFlight ? "(in flight)" : "");
    }
}
