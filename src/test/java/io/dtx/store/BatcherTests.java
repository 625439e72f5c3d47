package io.dtx.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

class BatcherTests {

    /** A runner whose batches finish when the test says so, recording what each batch carried. */
    static final class Gate implements Batcher.Runner<String, String> {
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final List<UniEmitter<? super List<String>>> open = new CopyOnWriteArrayList<>();

        @Override
        public Uni<List<String>> run(List<String> items) {
            batches.add(List.copyOf(items));
            return Uni.createFrom().emitter(e -> {
                if (items.contains("poison")) {
                    e.fail(new IllegalStateException("bad write"));
                } else if (items.size() == 1 && !items.get(0).startsWith("hold")) {
                    e.complete(List.of(items.get(0).toUpperCase()));
                } else {
                    open.add(e);
                }
            });
        }

        void finish(int index, List<String> items) {
            List<String> results = new ArrayList<>();
            for (String i : items) {
                results.add(i.toUpperCase());
            }
            open.get(index).complete(results);
        }
    }

    @Test
    void anIdleWriteGoesAloneAtOnce() {
        Gate gate = new Gate();
        Batcher<String, String> b = new Batcher<>("t", 10, 1, gate, s -> s);
        assertThat(b.submit("a").await().atMost(Duration.ofSeconds(1))).isEqualTo("A");
        assertThat(gate.batches).containsExactly(List.of("a"));
    }

    @Test
    void writesArrivingDuringAFlushShareTheNextOne() {
        Gate gate = new Gate();
        Batcher<String, String> b = new Batcher<>("t", 10, 1, gate, s -> s);
        var first = b.submit("hold").subscribeAsCompletionStage();
        var x = b.submit("x").subscribeAsCompletionStage();
        var y = b.submit("y").subscribeAsCompletionStage();
        var z = b.submit("z").subscribeAsCompletionStage();
        assertThat(gate.batches).containsExactly(List.of("hold"));
        gate.finish(0, List.of("hold"));
        assertThat(first.join()).isEqualTo("HOLD");
        assertThat(gate.batches).containsExactly(List.of("hold"), List.of("x", "y", "z"));
        gate.finish(1, List.of("x", "y", "z"));
        assertThat(List.of(x.join(), y.join(), z.join())).containsExactly("X", "Y", "Z");
    }

    @Test
    void batchesRespectTheLimitAndWritesWithTheSameKeyNeverShareOne() {
        Gate gate = new Gate();
        Batcher<String, String> b = new Batcher<>("t", 2, 1, gate, s -> s.substring(0, 1));
        b.submit("hold").subscribeAsCompletionStage();
        b.submit("a1").subscribeAsCompletionStage();
        b.submit("a2").subscribeAsCompletionStage();
        b.submit("b1").subscribeAsCompletionStage();
        b.submit("c1").subscribeAsCompletionStage();
        gate.finish(0, List.of("hold"));
        assertThat(gate.batches.get(1)).containsExactly("a1", "b1");
        gate.finish(1, List.of("a1", "b1"));
        assertThat(gate.batches.get(2)).containsExactly("a2", "c1");
    }

    @Test
    void aFailingBatchIsRetriedWriteByWriteSoOneBadWriteFailsAlone() {
        Gate gate = new Gate();
        Batcher<String, String> b = new Batcher<>("t", 10, 1, gate, s -> s);
        b.submit("hold").subscribeAsCompletionStage();
        var good = b.submit("good").subscribeAsCompletionStage();
        var bad = b.submit("poison").subscribeAsCompletionStage();
        var other = b.submit("other").subscribeAsCompletionStage();
        gate.finish(0, List.of("hold"));
        assertThat(good.join()).isEqualTo("GOOD");
        assertThat(other.join()).isEqualTo("OTHER");
        assertThatThrownBy(bad::join).hasRootCauseMessage("bad write");
        assertThat(gate.batches).contains(List.of("good", "poison", "other"), List.of("good"), List.of("poison"),
                List.of("other"));
    }
}
