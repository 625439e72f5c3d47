package io.dtx.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Group commit: writes of many concurrent transactions that arrive while a statement is in flight are carried
 * together by the next one, a single multi-row statement and so a single commit. Idle, a write goes out at once
 * alone: nothing waits for company. Each waiter is completed on the Vert.x context it called from.
 *
 * @param <I> one write
 * @param <R> its result
 */
final class Batcher<I, R> {

    /** Runs one statement for a whole batch; the results come back in the order of the items. */
    interface Runner<I, R> {
        Uni<List<R>> run(List<I> items);
    }

    private record Pending<I, R>(I item, UniEmitter<? super R> emitter, Context context) {
    }

    private final String name;
    private final int maxBatch;
    private final int maxInFlight;
    private final Runner<I, R> runner;
    private final Function<I, Object> key;
    private final ArrayDeque<Pending<I, R>> queue = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param key items with the same key never share a batch (the statement could not tell their results apart)
     */
    Batcher(String name, int maxBatch, int maxInFlight, Runner<I, R> runner, Function<I, Object> key) {
        this.name = name;
        this.maxBatch = Math.max(1, maxBatch);
        this.maxInFlight = Math.max(1, maxInFlight);
        this.runner = runner;
        this.key = key;
    }

    Uni<R> submit(I item) {
        return Uni.createFrom().emitter(emitter -> {
            synchronized (this) {
                queue.add(new Pending<>(item, emitter, Vertx.currentContext()));
            }
            drain();
        });
    }

    private void drain() {
        while (true) {
            List<Pending<I, R>> batch;
            synchronized (this) {
                if (inFlight >= maxInFlight || queue.isEmpty()) {
                    return;
                }
                batch = takeBatch();
                inFlight++;
            }
            flush(batch);
        }
    }

    private List<Pending<I, R>> takeBatch() {
        List<Pending<I, R>> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
        Set<Object> keys = new HashSet<>();
        Iterator<Pending<I, R>> it = queue.iterator();
        while (it.hasNext() && batch.size() < maxBatch) {
            Pending<I, R> p = it.next();
            if (keys.add(key.apply(p.item()))) {
                batch.add(p);
                it.remove();
            }
        }
        return batch;
    }

    private void flush(List<Pending<I, R>> batch) {
        List<I> items = new ArrayList<>(batch.size());
        for (Pending<I, R> p : batch) {
            items.add(p.item());
        }
        runner.run(items).subscribe().with(results -> {
            for (int i = 0; i < batch.size(); i++) {
                complete(batch.get(i), results.get(i));
            }
            done();
        }, failure -> {
            if (batch.size() == 1) {
                fail(batch.get(0), failure);
                done();
                return;
            }
            // One bad write must not sink the others: retry them one by one.
            Log.warnf("%s batch of %d failed (%s); retrying its writes one by one", name, batch.size(),
                    failure.toString());
            done();
            for (Pending<I, R> p : batch) {
                runner.run(List.of(p.item())).subscribe().with(r -> complete(p, r.get(0)), e -> fail(p, e));
            }
        });
    }

    private void done() {
        synchronized (this) {
            inFlight--;
        }
        drain();
    }

    private void complete(Pending<I, R> p, R result) {
        if (p.context() == null || p.context() == Vertx.currentContext()) {
            p.emitter().complete(result);
        } else {
            p.context().runOnContext(v -> p.emitter().complete(result));
        }
    }

    private void fail(Pending<I, R> p, Throwable failure) {
        if (p.context() == null || p.context() == Vertx.currentContext()) {
            p.emitter().fail(failure);
        } else {
            p.context().runOnContext(v -> p.emitter().fail(failure));
        }
    }
}
