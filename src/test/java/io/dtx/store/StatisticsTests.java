package io.dtx.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.dtx.testing.Db;
import io.dtx.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** A database whose tables were never analyzed gets statistics from dtx once they hold enough rows. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class StatisticsTests {

    @Inject
    TransactionStore store;

    private static String lastAnalyzed() {
        return Db.string("SELECT coalesce(last_analyze, last_autoanalyze)::text FROM pg_stat_user_tables"
                + " WHERE relname = 'trans_global' AND schemaname = current_schema()");
    }

    @Test
    void neverAnalyzedTablesAreAnalyzedOnceBigEnough() {
        // forget every statistic of the table, as on a database created a moment ago
        Db.string("SELECT pg_stat_reset_single_table_counters('trans_global'::regclass)::text");
        assertThat(lastAnalyzed()).isNull();

        boolean done = store.analyzeIfNeverAnalyzed(Long.MAX_VALUE).await().atMost(Duration.ofSeconds(10));
        assertThat(done).as("too few rows: nothing to do yet").isFalse();
        assertThat(lastAnalyzed()).isNull();

        done = store.analyzeIfNeverAnalyzed(0).await().atMost(Duration.ofSeconds(10));
        assertThat(done).isTrue();
        assertThat(lastAnalyzed()).as("trans_global analyzed").isNotNull();

        assertThat(store.analyzeIfNeverAnalyzed(0).await().atMost(Duration.ofSeconds(10))).isTrue();
    }
}
