package io.dtx.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every dtx setting. Each key is also an environment variable ({@code dtx.retry.interval} is
 * {@code DTX_RETRY_INTERVAL}); defaults are DTM's where DTM has the setting. The README's configuration table lists
 * them all.
 */
@ConfigMapping(prefix = "dtx")
public interface DtxConfig {

    /** The PostgreSQL to use; when no URL is set (here or as a Quarkus datasource URL), an embedded one starts. */
    Db db();

    /** The embedded PostgreSQL used when no database is configured. */
    Embedded embedded();

    /** DTM {@code TimeoutToFail}: default timeout of msg, tcc and xa transactions (a saga never times out by default). */
    @WithDefault("35s")
    Duration timeoutToFail();

    /** DTM {@code RequestTimeout}: default timeout of one branch call. */
    @WithDefault("3s")
    Duration requestTimeout();

    /**
     * Most rounds that requests start and run at once on this instance. Beyond it, a transaction submitted without
     * wait_result is still stored (and answered) at once, but due now and without an owner: the recovery loop runs it
     * when there is room. Memory stays bounded whatever the offered load; the backlog waits in the database.
     */
    @WithDefault("256")
    int maxActiveRounds();

    Retry retry();

    Recovery recovery();

    Store store();

    Limits limits();

    Outbound outbound();

    /** Name of this instance in the {@code owner} column; defaults to the host name and a random suffix. */
    Optional<String> instanceId();

    interface Db {
        /** {@code postgresql://host:port/db} or {@code jdbc:postgresql://host:port/db}. */
        Optional<String> url();

        Optional<String> user();

        Optional<String> password();
    }

    interface Embedded {
        /** Folder of the embedded database's files; they survive restarts. */
        @WithDefault("dtx-data")
        String dataDir();

        /** Port of the embedded PostgreSQL on 127.0.0.1; 0 picks a free one. */
        @WithDefault("0")
        int port();
    }

    interface Retry {
        /** DTM {@code RetryInterval}: base interval between rounds of an unfinished transaction. */
        @WithDefault("10s")
        Duration interval();

        /** Cap of the doubling back-off (DTM has none). */
        @WithDefault("1h")
        Duration maxInterval();
    }

    interface Recovery {
        /** Whether this instance picks up due transactions (any number of instances may). */
        @WithDefault("true")
        boolean enabled();

        /** DTM {@code TransCronInterval}: how often an idle instance looks for due transactions. */
        @WithDefault("3s")
        Duration pollInterval();

        /** How many due transactions one claim takes. */
        @WithDefault("100")
        int batchSize();

        /** Most rounds this instance runs at once from recovery. */
        @WithDefault("256")
        int maxConcurrentRounds();

        /** Added to the longest possible round when computing a lease, for the final write. */
        @WithDefault("5s")
        Duration leaseMargin();
    }

    interface Store {
        /**
         * Most writes (new transactions, round results, claims) one commit carries: writes that arrive while an
         * earlier commit is in flight share the next one. 1 turns this grouping off.
         */
        @WithDefault("500")
        int maxBatch();

        /** Write commits in flight at once. */
        @WithDefault("1")
        int maxInFlight();
    }

    interface Limits {
        /** Largest request body accepted. */
        @WithDefault("4194304")
        int maxRequestBytes();

        /** Longest gid. */
        @WithDefault("128")
        int maxGidLength();

        /** Longest branch or query_prepared URL. */
        @WithDefault("2048")
        int maxUrlLength();

        /** Most steps in one saga or msg. */
        @WithDefault("1000")
        int maxSteps();

        /** Longest custom_data, rollback_reason or branch header value. */
        @WithDefault("65536")
        int maxFieldLength();

        /** Most entries in branch_headers. */
        @WithDefault("64")
        int maxBranchHeaders();
    }

    interface Outbound {
        /**
         * Hosts or CIDR blocks branch calls may reach; empty allows any address but the always-refused link-local and
         * cloud metadata ones.
         */
        Optional<List<String>> allow();

        /** Connections kept per participant host. */
        @WithDefault("256")
        int maxConnectionsPerHost();
    }
}
