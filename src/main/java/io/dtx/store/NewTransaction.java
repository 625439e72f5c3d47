package io.dtx.store;

import java.util.List;

import io.dtx.domain.GlobalStatus;
import io.dtx.domain.NextRun;
import io.dtx.domain.TransType;
import io.dtx.domain.TransactionSpec.NewBranch;

/**
 * A transaction to insert with its branches in one statement. When {@code owner} is set the inserting instance holds
 * the lease ({@code lease_token} 1) and {@code next_cron_time} is the lease's end; otherwise the row is simply due at
 * {@code firstRun}.
 */
public record NewTransaction(
        String gid,
        TransType type,
        GlobalStatus status,
        String protocol,
        String queryPrepared,
        String optionsJson,
        String customData,
        long nextCronInterval,
        NextRun firstRun,
        String owner,
        int requestTimeout,
        List<NewBranch> branches) implements QueuedWrite {
}
