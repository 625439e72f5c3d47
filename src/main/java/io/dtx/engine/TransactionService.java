package io.dtx.engine;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import io.dtx.domain.BranchView;
import io.dtx.domain.GlobalStatus;
import io.dtx.domain.NextRun;
import io.dtx.domain.ShortUuid;
import io.dtx.domain.TransType;
import io.dtx.domain.TransactionFilter;
import io.dtx.domain.TransactionPage;
import io.dtx.domain.TransactionSpec;
import io.dtx.domain.TransactionView;
import io.dtx.store.InsertResult;
import io.dtx.store.LoadedTransaction;
import io.dtx.store.NewTransaction;
import io.dtx.store.ResetResult;
import io.dtx.store.StoredTransaction;
import io.dtx.store.TransactionStore;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * The coordinator's use-cases: prepare, submit, abort and the operator controls. A submit is acknowledged once the
 * transaction and its branches are committed (one statement); processing then runs in the background, or inline
 * when the client asked for {@code wait_result}.
 */
@ApplicationScoped
public class TransactionService {

    private static final Set<GlobalStatus> SUBMITTED = EnumSet.of(GlobalStatus.SUBMITTED);
    private static final Set<GlobalStatus> PREPARED = EnumSet.of(GlobalStatus.PREPARED);

    private final TransactionStore store;
    private final RoundRunner rounds;
    private final EngineSettings settings;
    private final TransactionCodec codec;
    private final Event<DueNow> dueNow;

    public TransactionService(TransactionStore store, RoundRunner rounds, EngineSettings settings,
            TransactionCodec codec, Event<DueNow> dueNow) {
        this.store = store;
        this.rounds = rounds;
        this.settings = settings;
        this.codec = codec;
        this.dueNow = dueNow;
    }

    public String newGid() {
        return ShortUuid.next();
    }

    public Uni<Reply> submit(TransactionSpec spec) {
        return switch (spec.type()) {
            case SAGA -> submitNew(spec);
            case MSG -> submitNew(spec);
            default -> Uni.createFrom().item(Reply.failure("trans_type " + spec.type() + " cannot be submitted"));
        };
    }

    /**
     * A saga (or a msg submitted without prepare) is created as submitted and processed at once — unless this instance
     * already runs as many rounds as it may, in which case it is stored due now for the recovery loop.
     */
    private Uni<Reply> submitNew(TransactionSpec spec) {
        long delay = spec.type() == TransType.MSG ? codec.msgDelay(spec.customData()) : 0;
        long leaseStart = System.nanoTime();
        boolean leaveDue = delay == 0 && mustLeaveDue(spec);
        NextRun firstRun = delay > 0 || leaveDue ? new NextRun(0, delay, null) : null;
        NewTransaction tx = newTransaction(spec, GlobalStatus.SUBMITTED, firstRun);
        return store.insert(tx).onItem().transformToUni(result -> afterSubmitInsert(spec, result, leaseStart, leaveDue));
    }

    /**
     * Whether a transaction accepted now should be left to the recovery loop rather than started here: only when
     * nobody waits for its outcome (a wait_result caller holds its own round, and is bounded by its own concurrency)
     * and this instance's rounds are at {@code dtx.max-active-rounds}.
     */
    private boolean mustLeaveDue(TransactionSpec spec) {
        return !spec.options().waitResult() && rounds.activeRounds() >= settings.maxActiveRounds();
    }

    /** The answer to a submit whose transaction was stored due for the recovery loop, which is told to look. */
    private Uni<Reply> handedToRecovery() {
        dueNow.fire(new DueNow());
        return Uni.createFrom().item(Reply.success());
    }

    private Uni<Reply> afterSubmitInsert(TransactionSpec spec, InsertResult result, long leaseStart, boolean leaveDue) {
        if (result.inserted().isPresent()) {
            LoadedTransaction tx = result.inserted().get();
            Log.debugf("gid %s: %s submitted with %d branches", spec.gid(), spec.type(), tx.branches().size());
            if (leaveDue) {
                return handedToRecovery();
            }
            if (tx.transaction().owner().isEmpty()) {
                return Uni.createFrom().item(Reply.success()); // delayed msg: recovery delivers it when due
            }
            return process(tx, leaseStart, spec.options().waitResult());
        }
        return resubmit(spec, result.existing().orElseThrow());
    }

    /**
     * Submit of a gid that exists. A prepared msg moves to submitted; a submitted transaction answers success and is
     * processed now with its stored branches unless a round is already running; a finished one is a conflict.
     */
    private Uni<Reply> resubmit(TransactionSpec spec, StoredTransaction existing) {
        if (!existing.transType().equals(spec.type().wire())) {
            return Uni.createFrom().item(Reply.failure("gid '" + spec.gid() + "' belongs to a " + existing.transType()
                    + " transaction, not a " + spec.type() + " one"));
        }
        GlobalStatus status = GlobalStatus.of(existing.status());
        if (status == GlobalStatus.PREPARED && spec.type() == TransType.MSG) {
            String customData = spec.customData().isEmpty() ? null : spec.customData();
            return claimAndProcess(spec, PREPARED, customData, false, mustLeaveDue(spec));
        }
        if (status == GlobalStatus.SUBMITTED) {
            return claimAndProcess(spec, SUBMITTED, null, true, false);
        }
        return Uni.createFrom().item(Reply.failure("current status '" + status + "', cannot submit"));
    }

    private Uni<Reply> claimAndProcess(TransactionSpec spec, Set<GlobalStatus> from, String customData,
            boolean onlyIfFree, boolean leaveDue) {
        long leaseStart = System.nanoTime();
        return store.claim(spec.gid(), from, GlobalStatus.SUBMITTED, customData, onlyIfFree, leaveDue,
                settings.leaseTerms()).onItem().transformToUni(claimed -> {
                    if (claimed.isPresent()) {
                        if (from.contains(GlobalStatus.PREPARED)) {
                            Log.debugf("gid %s: prepared -> submitted", spec.gid());
                        }
                        if (leaveDue) {
                            return handedToRecovery();
                        }
                        return process(claimed.get(), leaseStart, spec.options().waitResult());
                    }
                    // Someone else moved it meanwhile (or a round holds it): answer from what is stored now.
                    return store.find(spec.gid()).map(now -> now.map(t -> stateReply(t, spec.options().waitResult()))
                            .orElse(Reply.notFound(spec.gid())));
                });
    }

    /** The answer to a submit that found the transaction busy or already moved on. */
    private static Reply stateReply(StoredTransaction t, boolean waitResult) {
        if (GlobalStatus.SUBMITTED.wire().equals(t.status())) {
            return waitResult ? Reply.ongoing("transaction is being processed") : Reply.success();
        }
        return Reply.failure("current status '" + t.status() + "', cannot submit");
    }

    private Uni<Reply> process(LoadedTransaction tx, long leaseStart, boolean waitResult) {
        Uni<RoundResult> round = rounds.run(tx, leaseStart);
        if (!waitResult) {
            round.subscribe().with(r -> {
            }, e -> Log.errorf(e, "gid %s: round failed", tx.transaction().gid()));
            return Uni.createFrom().item(Reply.success());
        }
        return round.map(r -> r.storageError() != null ? Reply.error("could not record the result: " + r.storageError())
                : waitResultReply(r));
    }

    /**
     * DTM's wait_result answers: success when succeeded; 409 with the rollback reason when rolled back or rolling
     * back. dtx answers 425 ONGOING (not DTM's 409) while the outcome is still open, so a client cannot take an
     * unfinished transaction for a rolled-back one.
     */
    private static Reply waitResultReply(RoundResult r) {
        return switch (r.status()) {
            case SUCCEED -> Reply.success();
            case FAILED, ABORTING -> Reply.failure(
                    r.rollbackReason() == null || r.rollbackReason().isEmpty() ? "wait result not return success"
                            : r.rollbackReason());
            default -> Reply.ongoing("transaction is not finished yet"
                    + (r.lastError() == null || r.lastError().isEmpty() ? "" : "; last branch answer: " + r.lastError()));
        };
    }

    public Uni<Reply> prepare(TransactionSpec spec) {
        if (spec.type() != TransType.MSG) {
            return Uni.createFrom().item(Reply.failure("trans_type " + spec.type() + " cannot be prepared"));
        }
        long timeout = spec.options().effectiveTimeout(spec.type(), settings.timeoutToFail());
        NewTransaction tx = newTransaction(spec, GlobalStatus.PREPARED, new NextRun(0, timeout, null));
        return store.insert(tx).map(result -> {
            if (result.inserted().isPresent()) {
                Log.debugf("gid %s: msg prepared with %d branches", spec.gid(), result.inserted().get().branches().size());
                return Reply.success();
            }
            StoredTransaction existing = result.existing().orElseThrow();
            if (!existing.transType().equals(spec.type().wire())) {
                return Reply.failure("gid '" + spec.gid() + "' belongs to a " + existing.transType()
                        + " transaction, not a " + spec.type() + " one");
            }
            if (!GlobalStatus.PREPARED.wire().equals(existing.status())) {
                return Reply.failure("current status '" + existing.status() + "', cannot prepare");
            }
            return Reply.success();
        });
    }

    public Uni<Reply> abort(String gid, TransType requestedType, String rollbackReason) {
        return store.find(gid).onItem().transformToUni(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item(Reply.notFound(gid));
            }
            StoredTransaction t = found.get();
            if (TransType.MSG.wire().equals(t.transType()) && GlobalStatus.PREPARED.wire().equals(t.status())) {
                return store.finishFromOutside(gid, t.transType(), PREPARED, GlobalStatus.FAILED, rollbackReason)
                        .onItem().transformToUni(done -> {
                            if (done) {
                                Log.infof("gid %s: msg aborted: prepared -> failed", gid);
                                return Uni.createFrom().item(Reply.success());
                            }
                            return abort(gid, requestedType, rollbackReason);
                        });
            }
            return Uni.createFrom().item(Reply.failure("trans type: '" + t.transType() + "' current status '"
                    + t.status() + "', cannot abort"));
        });
    }

    public Uni<Reply> forceStop(String gid) {
        return store.forceStop(gid).onItem().transformToUni(stopped -> {
            if (stopped) {
                Log.infof("gid %s: force-stopped -> failed (no compensation)", gid);
                return Uni.createFrom().item(Reply.success());
            }
            return store.find(gid).map(t -> t.map(x -> Reply.failure(
                    "global transaction force stop error. status: " + x.status() + ". error: not unfinished"))
                    .orElse(Reply.notFound(gid)));
        });
    }

    /** Makes a transaction due now and has this instance's recovery look at once. */
    public Uni<Reply> resetNextCronTime(String gid) {
        return store.resetNextCronTime(gid).map(done -> {
            if (!done) {
                return Reply.notFound(gid);
            }
            dueNow.fire(new DueNow());
            return Reply.success();
        });
    }

    /** Makes far-scheduled transactions due now (after an outage) and has this instance's recovery look at once. */
    public Uni<ResetResult> resetCronTime(long afterSeconds, int limit) {
        return store.resetCronTime(afterSeconds, limit).invoke(r -> {
            if (r.succeedCount() > 0) {
                dueNow.fire(new DueNow());
            }
        });
    }

    /** Default {@code timeout} of resetCronTime: 3 × the server's timeout_to_fail, as DTM. */
    public long defaultResetCronTimeout() {
        return 3 * settings.timeoutToFail();
    }

    public Uni<Optional<TransactionView>> find(String gid) {
        return store.view(gid);
    }

    public Uni<List<BranchView>> branches(String gid) {
        return store.branchViews(gid);
    }

    public Uni<TransactionPage> list(TransactionFilter filter) {
        return store.page(filter);
    }

    /**
     * The row to insert. When {@code firstRun} is null, this instance takes the lease and processes at once;
     * otherwise the row is just due at {@code firstRun}.
     */
    private NewTransaction newTransaction(TransactionSpec spec, GlobalStatus status, NextRun firstRun) {
        long interval = settings.retryPolicy().baseInterval(spec.options());
        boolean owned = firstRun == null;
        NextRun run = owned
                ? new NextRun(interval,
                        (long) Math.ceil(settings.leaseTerms().leaseSeconds((int) spec.options().requestTimeout())), null)
                : firstRun;
        return new NewTransaction(spec.gid(), spec.type(), status, spec.protocol(), spec.queryPrepared(),
                codec.optionsJson(spec.options()), spec.customData(), interval, run,
                owned ? settings.leaseTerms().owner() : "", (int) spec.options().requestTimeout(), spec.branchRows());
    }
}
