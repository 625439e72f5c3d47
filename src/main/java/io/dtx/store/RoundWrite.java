package io.dtx.store;

import java.util.List;

import io.dtx.domain.GlobalStatus;
import io.dtx.domain.NextRun;

/**
 * Everything one step of a round writes, applied in one statement and only if this instance still holds the lease
 * ({@code leaseToken}) and the status is still {@code expected}.
 *
 * @param rollbackReason new reason, or null to keep the stored one
 * @param nextRun the next round's schedule, which also releases the lease; null keeps the lease (the round goes on)
 */
public record RoundWrite(
        long id,
        String gid,
        long leaseToken,
        GlobalStatus expected,
        GlobalStatus status,
        String rollbackReason,
        int retryCount,
        NextRun nextRun,
        List<BranchUpdate> branches) implements QueuedWrite {

    public record BranchUpdate(long id, String status, int attempts, String lastError) {
    }
}
