package io.dtx.store;

import java.nio.file.Path;
import java.util.Locale;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ImageMode;

/**
 * Runs before Quarkus starts and decides which PostgreSQL dtx uses: {@code dtx.db.url} ({@code DTX_DB_URL}) if set,
 * else the Quarkus datasource URLs if set, else an embedded PostgreSQL. The result is handed to Quarkus as datasource
 * properties.
 */
public final class DatabaseBootstrap {
    private static final Logger LOG = Logger.getLogger(DatabaseBootstrap.class);

    private DatabaseBootstrap() {
    }

    public static void prepare() {
        String url = setting("dtx.db.url");
        if (url != null && !url.isBlank()) {
            DatabaseUrl db = DatabaseUrl.parse(url);
            String user = setting("dtx.db.user");
            String password = setting("dtx.db.password");
            apply(db, user != null ? user : db.user().orElse(null), password != null ? password : db.password().orElse(null));
            LOG.infof("using PostgreSQL at %s", db.reactiveUrl());
            return;
        }
        String reactive = setting("quarkus.datasource.reactive.url");
        String jdbc = setting("quarkus.datasource.jdbc.url");
        if (reactive != null || jdbc != null) {
            // Fill in whichever of the two the operator left out.
            DatabaseUrl db = DatabaseUrl.parse(reactive != null ? reactive : jdbc);
            if (reactive == null) {
                System.setProperty("quarkus.datasource.reactive.url", db.reactiveUrl());
            }
            if (jdbc == null) {
                System.setProperty("quarkus.datasource.jdbc.url", db.jdbcUrl());
            }
            return;
        }
        if (ImageMode.current() == ImageMode.NATIVE_RUN) {
            throw new IllegalStateException("no database configured: the native binary has no embedded PostgreSQL;"
                    + " set DTX_DB_URL (and DTX_DB_USER, DTX_DB_PASSWORD)");
        }
        String dataDir = setting("dtx.embedded.data-dir");
        String port = setting("dtx.embedded.port");
        DatabaseUrl db = EmbeddedPostgresLauncher.start(Path.of(dataDir == null ? "dtx-data" : dataDir),
                port == null ? 0 : Integer.parseInt(port.trim()));
        apply(db, db.user().orElse(null), db.password().orElse(null));
    }

    private static void apply(DatabaseUrl db, String user, String password) {
        System.setProperty("quarkus.datasource.reactive.url", db.reactiveUrl());
        System.setProperty("quarkus.datasource.jdbc.url", db.jdbcUrl());
        if (user != null) {
            System.setProperty("quarkus.datasource.username", user);
        }
        if (password != null) {
            System.setProperty("quarkus.datasource.password", password);
        }
    }

    /** A setting from a system property, else from its environment variable (Quarkus' naming rule). */
    static String setting(String key) {
        String value = System.getProperty(key);
        if (value != null) {
            return value;
        }
        String env = key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        return System.getenv(env);
    }
}
