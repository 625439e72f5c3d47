package io.dtx.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

import io.dtx.store.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The real PostgreSQL tests run against: the one named by {@code DTX_TEST_DB_URL} (with {@code DTX_TEST_DB_USER} /
 * {@code DTX_TEST_DB_PASSWORD}), or else an embedded one started once per JVM. Each call of {@link #freshDatabase()}
 * creates a new empty database on it, so suites never see each other's rows.
 */
public final class TestDatabase {
    private static EmbeddedPostgres embedded;
    private static DatabaseUrl server;
    private static String user;
    private static String password;

    private TestDatabase() {
    }

    /** A database of its own on the test server. */
    public static synchronized Credentials freshDatabase() {
        ensureServer();
        String name = "dtx_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = connect(server.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        DatabaseUrl db = DatabaseUrl.parse(replaceDatabase(server.jdbcUrl(), name));
        return new Credentials(db.jdbcUrl(), db.reactiveUrl(), user, password);
    }

    public record Credentials(String jdbcUrl, String reactiveUrl, String user, String password) {
        public Connection connect() throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", user);
            p.setProperty("password", password == null ? "" : password);
            return DriverManager.getConnection(jdbcUrl, p);
        }

        /** The URL with credentials, as DTX_DB_URL takes it. */
        public String urlWithCredentials() {
            return reactiveUrl.replace("postgresql://",
                    "postgresql://" + user + ":" + (password == null ? "" : password) + "@");
        }
    }

    private static void ensureServer() {
        if (server != null) {
            return;
        }
        String url = System.getenv("DTX_TEST_DB_URL");
        if (url != null && !url.isBlank()) {
            DatabaseUrl db = DatabaseUrl.parse(url);
            user = env("DTX_TEST_DB_USER", db.user().orElse("postgres"));
            password = env("DTX_TEST_DB_PASSWORD", db.password().orElse(""));
            server = db;
            return;
        }
        try {
            Path dir = Files.createTempDirectory("dtx-test-pg");
            embedded = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(true)
                    .setServerConfig("max_connections", "300")
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL for tests", e);
        }
        user = "postgres";
        password = "";
        server = DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres");
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static Connection connect(String jdbcUrl) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password == null ? "" : password);
        return DriverManager.getConnection(jdbcUrl, p);
    }

    private static String replaceDatabase(String jdbcUrl, String name) {
        int start = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        int end = jdbcUrl.indexOf('?', Math.max(start, 0));
        String tail = end < 0 ? "" : jdbcUrl.substring(end);
        String head = start < 0 ? jdbcUrl : jdbcUrl.substring(0, start);
        return head + "/" + name + tail;
    }
}
