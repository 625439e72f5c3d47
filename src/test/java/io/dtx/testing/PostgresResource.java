package io.dtx.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the application under test at a fresh database on the test PostgreSQL. */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        TestDatabase.Credentials db = TestDatabase.freshDatabase();
        return Map.of(
                "quarkus.datasource.reactive.url", db.reactiveUrl(),
                "quarkus.datasource.jdbc.url", db.jdbcUrl(),
                "quarkus.datasource.username", db.user(),
                "quarkus.datasource.password", db.password() == null ? "" : db.password(),
                "dtxtest.jdbc-url", db.jdbcUrl());
    }

    @Override
    public void stop() {
        // the database is left for inspection; the server goes away with the JVM
    }
}
