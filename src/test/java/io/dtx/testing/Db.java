package io.dtx.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

import org.eclipse.microprofile.config.ConfigProvider;

/** Direct SQL on the database of the application under test, to check rows and to move time. */
public final class Db {

    private Db() {
    }

    public static Connection connect() throws SQLException {
        var config = ConfigProvider.getConfig();
        Properties p = new Properties();
        p.setProperty("user", config.getValue("quarkus.datasource.username", String.class));
        p.setProperty("password", config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
        return java.sql.DriverManager.getConnection(config.getValue("dtxtest.jdbc-url", String.class), p);
    }

    public static long count(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String string(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int exec(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Makes a transaction due now, as if its next_cron_time had passed. */
    public static void makeDue(String gid) {
        exec("UPDATE trans_global SET next_cron_time = now() - interval '1 second' WHERE gid = ?", gid);
    }

    /** Moves a transaction's creation into the past, as if {@code seconds} had gone by. */
    public static void age(String gid, long seconds) {
        exec("UPDATE trans_global SET create_time = create_time - make_interval(secs => ?) WHERE gid = ?",
                (double) seconds, gid);
    }

    /**
     * Transactions that wrote anything, database-wide, so far: the next transaction id to be assigned. Read-only
     * transactions take no id, so the difference of two readings counts write commits (and aborts) in between.
     */
    public static long writeTransactionCounter() {
        return count("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint");
    }
}
