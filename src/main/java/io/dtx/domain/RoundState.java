package io.dtx.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * A global transaction during one processing round: its status, its branches in DTM's order and what the round has
 * seen so far. Mutated only through the engine, one event at a time.
 */
public final class RoundState {
    private final String gid;
    private final TransType type;
    private final TransactionOptions options;
    private final List<BranchState> branches;
    private final BranchState checkBack;
    private final long effectiveTimeout;
    private GlobalStatus status;
    private String rollbackReason;
    private int retryCount;
    private boolean retryCountChanged;
    private boolean sawError;
    private boolean sawOngoing;
    private boolean sawSuccess;

    public RoundState(String gid, TransType type, GlobalStatus status, TransactionOptions options,
            List<BranchState> branches, BranchState checkBack, long effectiveTimeout, String rollbackReason,
            int retryCount) {
        this.gid = gid;
        this.type = type;
        this.status = status;
        this.options = options;
        this.branches = List.copyOf(branches);
        this.checkBack = checkBack;
        this.effectiveTimeout = effectiveTimeout;
        this.rollbackReason = rollbackReason == null ? "" : rollbackReason;
        this.retryCount = retryCount;
    }

    public String gid() {
        return gid;
    }

    public TransType type() {
        return type;
    }

    public GlobalStatus status() {
        return status;
    }

    public TransactionOptions options() {
        return options;
    }

    public List<BranchState> branches() {
        return branches;
    }

    public BranchState checkBack() {
        return checkBack;
    }

    /** Timeout in seconds that applies to this transaction, 0 for none. */
    public long effectiveTimeout() {
        return effectiveTimeout;
    }

    public boolean timedOut(RoundClock clock) {
        return effectiveTimeout > 0 && clock.ageSeconds() >= effectiveTimeout;
    }

    public String rollbackReason() {
        return rollbackReason;
    }

    public int retryCount() {
        return retryCount;
    }

    public boolean retryCountChanged() {
        return retryCountChanged;
    }

    public boolean sawError() {
        return sawError;
    }

    public boolean sawOngoing() {
        return sawOngoing;
    }

    public boolean sawSuccess() {
        return sawSuccess;
    }

    public boolean anyInFlight() {
        if (checkBack != null && checkBack.inFlight()) {
            return true;
        }
        for (BranchState b : branches) {
            if (b.inFlight()) {
                return true;
            }
        }
        return false;
    }

    /** Marks a branch as started; the engine then calls it. */
    public void start(BranchState branch) {
        branch.start();
    }

    /** Applies a participant's answer (or the no-call success of an empty URL). */
    public void complete(BranchState branch, BranchOutcome outcome, boolean called, boolean failureIsTerminal) {
        branch.complete(outcome, called, failureIsTerminal);
        switch (outcome.kind()) {
            case SUCCESS -> sawSuccess = true;
            case ONGOING -> sawOngoing = true;
            case ERROR -> sawError = true;
            case FAILURE -> {
                if (!failureIsTerminal) {
                    sawError = true;
                }
            }
        }
        boolean retriedAction = type == TransType.SAGA && BranchOps.ACTION.equals(branch.op())
                && branch.is(BranchStatus.PREPARED) && outcome.kind() != BranchOutcome.Kind.SUCCESS;
        if (retriedAction) {
            retryCount++;
            retryCountChanged = true;
        }
    }

    /** Applies a status change the engine has made durable. */
    public void moveTo(GlobalStatus to, String reason) {
        status = to;
        if (reason != null && !reason.isEmpty()) {
            rollbackReason = reason;
        }
    }

    /** Stored branches whose status, attempts or last error changed since the last write. */
    public List<BranchState> unsavedBranches() {
        List<BranchState> out = new ArrayList<>();
        for (BranchState b : branches) {
            if (b.isStored() && b.changed()) {
                out.add(b);
            }
        }
        return out;
    }

    public void markSaved() {
        for (BranchState b : branches) {
            b.markPersisted();
        }
        retryCountChanged = false;
    }
}
