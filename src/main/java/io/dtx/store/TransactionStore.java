package io.dtx.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.dtx.domain.BranchView;
import io.dtx.domain.GlobalStatus;
import io.dtx.domain.TransactionFilter;
import io.dtx.domain.TransactionPage;
import io.dtx.domain.TransactionView;
import io.smallrye.mutiny.Uni;

/**
 * The persistence port. Every status change is a compare-and-set on the current status; every write of a round also
 * checks the lease token, so an instance that lost its lease cannot overwrite newer state. Times are database time.
 */
public interface TransactionStore {

    /** Inserts a transaction and its branches in one statement (one commit), unless the gid exists. */
    Uni<InsertResult> insert(NewTransaction tx);

    /**
     * Gives PostgreSQL statistics on a database that has none yet. Prepared statements are planned once their first
     * executions are done; on brand-new tables those plans assume a near-empty table (sequential scans) and are kept
     * until the tables are first analyzed, which autovacuum may do only a minute or more later. Once the tables have
     * grown past {@code minRows} and were never analyzed, this analyzes them, which also makes every connection plan
     * its statements again.
     *
     * @return true when nothing is left to do (the tables were analyzed, now or before, or may not be by this user)
     */
    Uni<Boolean> analyzeIfNeverAnalyzed(long minRows);

    Uni<Optional<StoredTransaction>> find(String gid);

    /**
     * Takes the lease of one transaction now, moving it from one of {@code from} to {@code to}.
     *
     * @param customData replaces the stored custom_data when not null
     * @param onlyIfFree only when no live lease holds it (another round may be running)
     * @param leaveDue move the status but take no lease: leave the transaction due now, with no owner, for the
     *        recovery loop (this instance has no room for another round)
     */
    Uni<Optional<LoadedTransaction>> claim(String gid, Set<GlobalStatus> from, GlobalStatus to, String customData,
            boolean onlyIfFree, boolean leaveDue, LeaseTerms lease);

    /** Takes the lease of up to {@code limit} due transactions, oldest schedule first, skipping rows others hold. */
    Uni<List<LoadedTransaction>> claimDue(int limit, LeaseTerms lease);

    /** Applies a round's results if the lease and the status still match; false when they did not. */
    Uni<Boolean> write(RoundWrite write);

    /**
     * Ends a transaction from outside a round (abort of a prepared msg), fencing out any round in progress.
     *
     * @return whether the transaction was in one of {@code from}
     */
    Uni<Boolean> finishFromOutside(String gid, String transType, Set<GlobalStatus> from, GlobalStatus to,
            String rollbackReason);

    /** Sets a still unfinished transaction to failed without compensation. */
    Uni<Boolean> forceStop(String gid);

    /** Makes a transaction due now; false when the gid is unknown. */
    Uni<Boolean> resetNextCronTime(String gid);

    /** Makes up to {@code limit} unfinished transactions due more than {@code afterSeconds} from now due now. */
    Uni<ResetResult> resetCronTime(long afterSeconds, int limit);

    Uni<Optional<TransactionView>> view(String gid);

    Uni<List<BranchView>> branchViews(String gid);

    Uni<TransactionPage> page(TransactionFilter filter);
}
