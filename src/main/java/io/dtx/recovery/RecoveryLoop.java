package io.dtx.recovery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.dtx.config.DtxConfig;
import io.dtx.engine.DueNow;
import io.dtx.engine.EngineSettings;
import io.dtx.engine.RoundResult;
import io.dtx.engine.RoundRunner;
import io.dtx.store.LoadedTransaction;
import io.dtx.store.TransactionStore;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Finishes what is due: every unfinished transaction whose {@code next_cron_time} has passed, including those of an
 * instance that died (its leases expire). Each pass claims batches with {@code FOR UPDATE SKIP LOCKED} under a lease
 * and runs their rounds concurrently, until a claim comes back short. Any number of instances may run it on one
 * database.
 */
@ApplicationScoped
public class RecoveryLoop {

    /** Rows after which new tables are worth analyzing: plans made for a near-empty table stop fitting. */
    static final long ANALYZE_AFTER_ROWS = 1000;

    private final TransactionStore store;
    private final RoundRunner rounds;
    private final EngineSettings settings;
    private final DtxConfig config;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean passing = new AtomicBoolean();
    private volatile boolean again;
    private volatile boolean statisticsReady;

    public RecoveryLoop(TransactionStore store, RoundRunner rounds, EngineSettings settings, DtxConfig config) {
        this.store = store;
        this.rounds = rounds;
        this.settings = settings;
        this.config = config;
    }

    @Scheduled(every = "${dtx.recovery.poll-interval}", delayed = "${dtx.recovery.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        return analyzeNewTables().onItem().transformToUni(v -> pass());
    }

    /** Until a brand-new database's tables have statistics, see that they get them; see the store. */
    private Uni<Void> analyzeNewTables() {
        if (statisticsReady) {
            return Uni.createFrom().voidItem();
        }
        return store.analyzeIfNeverAnalyzed(ANALYZE_AFTER_ROWS).onItem().invoke(done -> statisticsReady = done)
                .onFailure().recoverWithItem(e -> {
                    Log.debugf("statistics check failed: %s", e.toString());
                    return false;
                }).replaceWithVoid();
    }

    /** An operator made work due now: look at once instead of at the next poll. */
    void onDueNow(@Observes DueNow event) {
        pass().subscribe().with(v -> {
        }, e -> Log.warnf("recovery pass failed: %s", e.toString()));
    }

    /** One pass at a time; a request for a pass while one runs makes it go round once more. */
    private Uni<Void> pass() {
        if (!config.recovery().enabled() || stopping.get()) {
            return Uni.createFrom().voidItem();
        }
        if (!passing.compareAndSet(false, true)) {
            again = true;
            return Uni.createFrom().voidItem();
        }
        again = false;
        return runOnce().onFailure().recoverWithItem(e -> {
            Log.warnf("recovery pass failed: %s", e.toString());
            return 0;
        }).onItem().transformToUni(n -> {
            passing.set(false);
            return again ? pass() : Uni.createFrom().voidItem();
        });
    }

    /**
     * Claims and processes due transactions until none is left.
     *
     * @return how many rounds ran
     */
    public Uni<Integer> runOnce() {
        return pass(0);
    }

    private Uni<Integer> pass(int doneSoFar) {
        if (stopping.get()) {
            return Uni.createFrom().item(doneSoFar);
        }
        int limit = Math.max(1, Math.min(config.recovery().batchSize(), config.recovery().maxConcurrentRounds()));
        long leaseStart = System.nanoTime();
        return store.claimDue(limit, settings.leaseTerms()).onItem().transformToUni(batch -> {
            if (batch.isEmpty()) {
                return Uni.createFrom().item(doneSoFar);
            }
            Log.debugf("recovery claimed %d transactions", batch.size());
            return runAll(batch, leaseStart).onItem().transformToUni(
                    v -> batch.size() < limit ? Uni.createFrom().item(doneSoFar + batch.size())
                            : pass(doneSoFar + batch.size()));
        });
    }

    private Uni<Void> runAll(List<LoadedTransaction> batch, long leaseStart) {
        List<Uni<RoundResult>> all = new ArrayList<>(batch.size());
        for (LoadedTransaction tx : batch) {
            all.add(rounds.run(tx, leaseStart, true).onFailure().recoverWithItem(e -> {
                Log.errorf(e, "gid %s: recovery round failed", tx.transaction().gid());
                return null;
            }));
        }
        return Uni.join().all(all).andCollectFailures().replaceWithVoid();
    }

    /**
     * On shutdown, stop claiming and give running rounds a moment to record their results; a round cut short is
     * redone by any instance once its lease expires.
     */
    void onStop(@Observes ShutdownEvent event) {
        stopping.set(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (rounds.activeRounds() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (rounds.activeRounds() > 0) {
            Log.warnf("shutting down with %d rounds unfinished; they are redone when their leases expire",
                    rounds.activeRounds());
        }
    }
}
