package io.dtx.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Starts the PostgreSQL that dtx uses when none is configured: real PostgreSQL binaries from Maven Central, with the
 * data in a local folder that survives restarts, durable settings (fsync and synchronous commit on) and the database
 * {@code dtx}.
 */
public final class EmbeddedPostgresLauncher {
    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresLauncher.class);
    private static final String DATABASE = "dtx";
    private static final String USER = "postgres";

    private EmbeddedPostgresLauncher() {
    }

    public static DatabaseUrl start(Path dataDir, int port) {
        Path pgData = dataDir.toAbsolutePath().normalize().resolve("pg");
        try {
            Files.createDirectories(pgData);
            stopLeftOverServer(pgData);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .start();
            createDatabase(pg);
            LOG.infof("embedded PostgreSQL on 127.0.0.1:%d, data in %s", pg.getPort(), pgData);
            String url = "postgresql://127.0.0.1:" + pg.getPort() + "/" + DATABASE;
            return new DatabaseUrl("jdbc:" + url, url, Optional.of(USER), Optional.of(""));
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL in " + pgData
                    + " (set DTX_DB_URL to use an existing PostgreSQL): " + e.getMessage(), e);
        }
    }

    private static void createDatabase(EmbeddedPostgres pg) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (r.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    /**
     * A dtx process that was killed leaves its PostgreSQL running (pg_ctl detaches it). If no live dtx holds the data
     * folder's lock, that server is stopped so this one can start on the same files.
     */
    private static void stopLeftOverServer(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Path lockFile = pgData.resolve("epg-lock");
        if (Files.exists(lockFile)) {
            try (RandomAccessFile raf = new RandomAccessFile(lockFile.toFile(), "rw");
                    FileChannel channel = raf.getChannel();
                    FileLock lock = channel.tryLock()) {
                if (lock == null) {
                    throw new IllegalStateException("the embedded database in " + pgData
                            + " is in use by another dtx process; give each instance its own dtx.embedded.data-dir"
                            + " or point them all at one PostgreSQL with DTX_DB_URL");
                }
            }
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (process.isEmpty()) {
            return;
        }
        LOG.warnf("stopping PostgreSQL %d left running by a previous dtx process on %s", pid, pgData);
        ProcessHandle handle = process.get();
        handle.destroy();
        try {
            handle.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL " + pid + " left by a previous dtx process did not stop", e);
        }
    }
}
