package io.dtx.engine;

import static io.dtx.testing.Coordinator.submit;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.dtx.testing.Db;
import io.dtx.testing.ParticipantTestBase;
import io.dtx.testing.PostgresResource;
import io.dtx.testing.Tx;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Concurrent transactions share commits: fewer write transactions than the two each saga would take alone. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class GroupCommitTests extends ParticipantTestBase {

    @Test
    void concurrentSagasShareCommits() throws Exception {
        int sagas = 200;
        String prefix = gid("group");
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            long before = Db.writeTransactionCounter();
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < sagas; i++) {
                Tx saga = Tx.saga(prefix + "-" + i).step(p.url("/g0"), p.url("/g0r"), "{}")
                        .step(p.url("/g1"), p.url("/g1r"), "{}").waitResult();
                answers.add(pool.submit(() -> submit(saga).statusCode()));
            }
            for (Future<Integer> a : answers) {
                assertThat(a.get()).isEqualTo(200);
            }
            long commits = Db.writeTransactionCounter() - before;
            assertThat(Db.count("SELECT count(*) FROM trans_global WHERE gid LIKE ? AND status = 'succeed'",
                    prefix + "-%")).isEqualTo(sagas);
            // alone, each saga takes two (accept, finish)
            assertThat(commits).isLessThan((long) (1.5 * sagas));
        } finally {
            pool.shutdownNow();
        }
    }
}
