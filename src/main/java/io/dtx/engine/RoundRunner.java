package io.dtx.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.dtx.dispatch.BranchCall;
import io.dtx.dispatch.BranchDispatcher;
import io.dtx.domain.BranchOutcome;
import io.dtx.domain.BranchState;
import io.dtx.domain.BranchStatus;
import io.dtx.domain.Decision;
import io.dtx.domain.GlobalStatus;
import io.dtx.domain.MsgPlanner;
import io.dtx.domain.NextRun;
import io.dtx.domain.Planner;
import io.dtx.domain.RoundClock;
import io.dtx.domain.RoundState;
import io.dtx.domain.SagaLayout;
import io.dtx.domain.SagaPlanner;
import io.dtx.domain.Schedule;
import io.dtx.domain.TransType;
import io.dtx.domain.TransactionOptions;
import io.dtx.store.LoadedTransaction;
import io.dtx.store.RoundWrite;
import io.dtx.store.StoredBranch;
import io.dtx.store.StoredTransaction;
import io.dtx.store.TransactionStore;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;

/**
 * Runs processing rounds: load → plan → dispatch → record, for a transaction whose lease this instance holds. A round
 * calls branches until its planner has nothing more to start, writes status changes durably as they happen (a saga
 * turning to {@code aborting} is recorded before any compensation runs) and writes the branch results together with
 * the final status or the next schedule. All of a round's events run on one Vert.x context, one at a time.
 */
@ApplicationScoped
public class RoundRunner {

    private final TransactionStore store;
    private final BranchDispatcher dispatcher;
    private final EngineSettings settings;
    private final TransactionCodec codec;
    private final Vertx vertx;
    private final AtomicInteger active = new AtomicInteger();

    public RoundRunner(TransactionStore store, BranchDispatcher dispatcher, EngineSettings settings,
            TransactionCodec codec, Vertx vertx) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.settings = settings;
        this.codec = codec;
        this.vertx = vertx;
    }

    /**
     * Runs one round.
     *
     * @param leaseStartNanos {@link System#nanoTime()} taken before the statement that took the lease was sent; the
     *        round's budget counts from it
     */
    public Uni<RoundResult> run(LoadedTransaction tx, long leaseStartNanos) {
        return run(tx, leaseStartNanos, false);
    }

    /**
     * @param byRecovery the round was claimed by the recovery loop (a retry, a check-back or a takeover from another
     *        instance) rather than started by the request that stored the transaction
     */
    public Uni<RoundResult> run(LoadedTransaction tx, long leaseStartNanos, boolean byRecovery) {
        return Uni.createFrom().deferred(() -> {
            Round round = new Round(tx, leaseStartNanos, byRecovery);
            active.incrementAndGet();
            return round.start().onTermination().invoke(active::decrementAndGet);
        });
    }

    /** Rounds running on this instance now. */
    public int activeRounds() {
        return active.get();
    }

    private Planner plannerFor(TransType type, StoredTransaction h) {
        return switch (type) {
            case SAGA -> new SagaPlanner(sagaLayout(h));
            case MSG -> new MsgPlanner(msgDelay(h));
            default -> throw new IllegalStateException("gid " + h.gid() + ": trans_type " + type + " has no planner");
        };
    }

    private SagaLayout sagaLayout(StoredTransaction h) {
        try {
            return codec.sagaLayout(h.customData());
        } catch (IllegalArgumentException e) {
            Log.errorf("gid %s: stored custom_data is unusable (%s); running the saga sequentially", h.gid(),
                    e.getMessage());
            return SagaLayout.SEQUENTIAL;
        }
    }

    private long msgDelay(StoredTransaction h) {
        try {
            return codec.msgDelay(h.customData());
        } catch (IllegalArgumentException e) {
            Log.errorf("gid %s: stored custom_data is unusable (%s); delivering without delay", h.gid(), e.getMessage());
            return 0;
        }
    }

    /** One round of one transaction. */
    private final class Round implements RoundClock {
        private final StoredTransaction header;
        private final boolean byRecovery;
        private final TransType type;
        private final TransactionOptions options;
        private final RoundState state;
        private final Planner planner;
        private final long startNanos;
        private final long budgetEndNanos;
        private final Duration callTimeout;
        private Context context;
        private Thread loopThread;
        private UniEmitter<? super RoundResult> emitter;
        private boolean advancing;
        private boolean again;
        private boolean writing;
        private boolean done;
        private String lastError = "";

        Round(LoadedTransaction tx, long leaseStartNanos, boolean byRecovery) {
            this.byRecovery = byRecovery;
            this.header = tx.transaction();
            this.type = TransType.fromWire(header.transType()).orElseThrow(
                    () -> new IllegalStateException("gid " + header.gid() + ": unknown trans_type " + header.transType()));
            this.options = codec.options(header.options());
            this.planner = plannerFor(type, header);
            List<BranchState> branches = new ArrayList<>(tx.branches().size());
            for (StoredBranch b : tx.branches()) {
                branches.add(new BranchState(b.id(), b.branchId(), b.op(), b.url(), b.data(),
                        BranchStatus.of(b.status()), b.attempts(), b.lastError()));
            }
            BranchState checkBack = type == TransType.MSG && !header.queryPrepared().isEmpty()
                    ? BranchState.checkBack(header.queryPrepared())
                    : null;
            this.state = new RoundState(header.gid(), type, GlobalStatus.of(header.status()), options, branches,
                    checkBack, options.effectiveTimeout(type, settings.timeoutToFail()), header.rollbackReason(),
                    header.retryCount());
            long requestTimeout = options.effectiveRequestTimeout(settings.requestTimeout());
            this.callTimeout = Duration.ofSeconds(requestTimeout);
            this.startNanos = leaseStartNanos;
            this.budgetEndNanos = leaseStartNanos
                    + TimeUnit.SECONDS.toNanos(requestTimeout + EngineSettings.ROUND_EXTRA_SECONDS);
        }

        Uni<RoundResult> start() {
            return Uni.createFrom().emitter(e -> {
                emitter = e;
                context = vertx.getDelegate().getOrCreateContext();
                context.runOnContext(v -> {
                    loopThread = Thread.currentThread();
                    advance();
                });
            });
        }

        @Override
        public boolean mayStartCalls() {
            return System.nanoTime() < budgetEndNanos;
        }

        @Override
        public double ageSeconds() {
            return header.ageSeconds() + (System.nanoTime() - startNanos) / 1e9;
        }

        private void onLoop(Runnable action) {
            if (Thread.currentThread() == loopThread) {
                action.run();
            } else {
                context.runOnContext(v -> action.run());
            }
        }

        /** Asks the planner what to do until it has to wait for an answer or a write. */
        private void advance() {
            if (advancing) {
                again = true;
                return;
            }
            advancing = true;
            try {
                do {
                    again = false;
                    step();
                } while (again && !done && !writing);
            } catch (RuntimeException e) {
                Log.errorf(e, "gid %s: round failed", header.gid());
                finish(new RoundResult(state.status(), state.rollbackReason(), lastError, false, e.toString()));
            } finally {
                advancing = false;
            }
        }

        private void step() {
            if (done || writing) {
                return;
            }
            Decision decision = planner.next(state, this);
            if (decision instanceof Decision.Start start) {
                for (BranchState b : start.branches()) {
                    launch(b);
                }
                again = true;
            } else if (decision instanceof Decision.Transition t) {
                transition(t);
            } else if (decision instanceof Decision.EndRound end) {
                endRound(end.schedule());
            }
            // Decision.Wait: an answer will call advance() again.
        }

        private void launch(BranchState b) {
            state.start(b);
            if (b.url().isEmpty()) {
                // DTM: an empty URL is a success without a call.
                state.complete(b, BranchOutcome.success(), false, planner.failureIsTerminal(b));
                return;
            }
            Log.debugf("gid %s branch %s %s: calling %s", header.gid(), b.branchId(), b.op(), b.url());
            dispatcher.call(callFor(b)).subscribe().with(
                    outcome -> onLoop(() -> answered(b, outcome)),
                    failure -> onLoop(() -> answered(b, BranchOutcome.error(failure.toString()))));
        }

        private BranchCall callFor(BranchState b) {
            boolean checkBack = !b.isStored();
            byte[] body = checkBack ? new byte[0] : b.data();
            String method = body.length > 0 || type == TransType.XA ? "POST" : "GET";
            return new BranchCall(b.url(), method, header.gid(), type.wire(), b.branchId(), b.op(),
                    options.branchHeaders(), body, callTimeout);
        }

        private void answered(BranchState b, BranchOutcome outcome) {
            state.complete(b, outcome, true, planner.failureIsTerminal(b));
            if (outcome.isSuccess()) {
                Log.debugf("gid %s branch %s %s: success", header.gid(), b.branchId(), b.op());
            } else {
                lastError = outcome.detail();
                Log.debugf("gid %s branch %s %s: %s %s", header.gid(), b.branchId(), b.op(), outcome.kind(),
                        outcome.detail());
            }
            advance();
        }

        private void transition(Decision.Transition t) {
            GlobalStatus from = state.status();
            NextRun next = t.to().isFinished() ? new NextRun(header.nextCronInterval(), 0L, null) : null;
            write(t.to(), t.reason(), next, () -> {
                state.moveTo(t.to(), t.reason());
                logTransition(from, t);
                if (t.to().isFinished()) {
                    finish(result(false, null));
                } else {
                    advance();
                }
            });
        }

        /**
         * The routine path (accepted, then succeeded in the round its request started) is logged at DEBUG: at
         * thousands of transactions a second, one INFO line each would drown what needs attention. Every other
         * transition — a success after a retry or a takeover, a rollback, a failure, a check-back decision — is
         * INFO.
         */
        private void logTransition(GlobalStatus from, Decision.Transition t) {
            boolean routine = !byRecovery && t.to() == GlobalStatus.SUCCEED && from == GlobalStatus.SUBMITTED;
            if (routine) {
                Log.debugf("gid %s: %s -> %s", header.gid(), from, t.to());
            } else if (t.reason() == null || t.reason().isEmpty()) {
                Log.infof("gid %s: %s -> %s", header.gid(), from, t.to());
            } else {
                Log.infof("gid %s: %s -> %s (%s)", header.gid(), from, t.to(), t.reason());
            }
        }

        private void endRound(Schedule schedule) {
            NextRun next = settings.retryPolicy().next(schedule, header.nextCronInterval(), state.sawSuccess(), type,
                    state.status(), options);
            write(state.status(), null, next, () -> {
                Log.debugf("gid %s: round ends %s, next in %ss (interval %ss)", header.gid(), state.status(),
                        next.delaySeconds(), next.intervalSeconds());
                finish(result(false, null));
            });
        }

        private void write(GlobalStatus to, String reason, NextRun next, Runnable then) {
            List<RoundWrite.BranchUpdate> updates = new ArrayList<>();
            for (BranchState b : state.unsavedBranches()) {
                updates.add(new RoundWrite.BranchUpdate(b.id(), b.status().wire(), b.attempts(), b.lastError()));
            }
            RoundWrite w = new RoundWrite(header.id(), header.gid(), header.leaseToken(), state.status(), to, reason,
                    state.retryCount(), next, updates);
            writing = true;
            store.write(w).subscribe().with(
                    applied -> onLoop(() -> {
                        writing = false;
                        if (!applied) {
                            Log.infof("gid %s: lease lost or status changed by someone else; round results dropped",
                                    header.gid());
                            finish(result(true, null));
                            return;
                        }
                        state.markSaved();
                        then.run();
                    }),
                    failure -> onLoop(() -> {
                        writing = false;
                        Log.errorf(failure, "gid %s: could not record the round; it will be redone", header.gid());
                        finish(result(false, failure.toString()));
                    }));
        }

        private RoundResult result(boolean fenced, String storageError) {
            return new RoundResult(state.status(), state.rollbackReason(), lastError, fenced, storageError);
        }

        private void finish(RoundResult result) {
            if (done) {
                return;
            }
            done = true;
            emitter.complete(result);
        }
    }
}
