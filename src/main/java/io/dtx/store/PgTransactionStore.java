package io.dtx.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.dtx.config.DtxConfig;
import io.dtx.domain.BranchView;
import io.dtx.domain.GlobalStatus;
import io.dtx.domain.NextRun;
import io.dtx.domain.TransactionFilter;
import io.dtx.domain.TransactionPage;
import io.dtx.domain.TransactionSpec.NewBranch;
import io.dtx.domain.TransactionView;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * PostgreSQL implementation of the store. The hot path (insert, claim, round writes) is hand-written SQL on the
 * reactive pool, each write a single statement so that it is one commit; reads and operator updates go through the
 * Hibernate Reactive repositories on the same pool.
 */
@ApplicationScoped
public class PgTransactionStore implements TransactionStore {

    private static final String TX_COLUMNS = "id, gid, trans_type, status, protocol, query_prepared, options,"
            + " custom_data, rollback_reason, next_cron_interval, retry_count, lease_token, owner,"
            + " extract(epoch FROM (now() - create_time))::float8 AS age";

    private static final String TX_COLUMNS_T = "t.id, t.gid, t.trans_type, t.status, t.protocol, t.query_prepared,"
            + " t.options, t.custom_data, t.rollback_reason, t.next_cron_interval, t.retry_count, t.lease_token,"
            + " t.owner, extract(epoch FROM (now() - t.create_time))::float8 AS age";

    /** next_cron_time from a NextRun: least(now() + delay, create_time + at), a missing term left out. */
    private static final String NEXT_RUN = "COALESCE(LEAST(now() + make_interval(secs => %1$s::float8),"
            + " create_time + make_interval(secs => %2$s::float8)), now())";

    private static final String LEASE_END = "now() + make_interval(secs => %1$s::float8 + 2 * (CASE WHEN"
            + " %3$srequest_timeout > 0 THEN %3$srequest_timeout ELSE %2$s::int END))";

    /** Inserts many transactions and their branches; returns the id of each stored row (conflicting gids: none). */
    private static final String INSERT = """
            WITH t AS (
              SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                   $8::int[], $9::float8[], $10::float8[], $11::text[], $12::bigint[], $13::int[])
                     WITH ORDINALITY AS t(gid, trans_type, status, query_prepared, protocol, options, custom_data,
                                          next_cron_interval, delay, at, owner, lease_token, request_timeout, ord)
            ), g AS (
              INSERT INTO trans_global (gid, trans_type, status, query_prepared, protocol, options, custom_data,
                                        next_cron_interval, next_cron_time, owner, lease_token, request_timeout)
              SELECT gid, trans_type, status, query_prepared, protocol, options, custom_data, next_cron_interval,
                     COALESCE(LEAST(now() + make_interval(secs => delay), now() + make_interval(secs => at)), now()),
                     owner, lease_token, request_timeout
              FROM t ORDER BY ord
              ON CONFLICT (gid) DO NOTHING
              RETURNING id, gid
            ), b AS (
              INSERT INTO trans_branch_op (gid, url, bin_data, branch_id, op, status)
              SELECT u.gid, u.url, u.data, u.branch_id, u.op, 'prepared'
              FROM unnest($14::text[], $15::text[], $16::bytea[], $17::text[], $18::text[])
                      WITH ORDINALITY AS u(gid, url, data, branch_id, op, ord)
              JOIN g ON g.gid = u.gid
              ORDER BY u.ord
              RETURNING id, gid, branch_id, op
            )
            SELECT g.id AS row_id, g.gid, NULL::text AS branch_id, NULL::text AS op FROM g
            UNION ALL
            SELECT b.id, b.gid, b.branch_id, b.op FROM b
            """;

    private static final String FIND = "SELECT " + TX_COLUMNS + " FROM trans_global WHERE gid = $1";

    /** The branch columns appended to claimed transaction rows (one row per branch; none: nulls). */
    private static final String WITH_BRANCHES = "SELECT t.*, b.id AS b_id, b.branch_id AS b_branch_id, b.op AS b_op,"
            + " b.url AS b_url, b.bin_data AS b_data, b.status AS b_status, b.attempts AS b_attempts,"
            + " b.last_error AS b_last_error"
            + " FROM t LEFT JOIN trans_branch_op b ON b.gid = t.gid ORDER BY t.id, b.id";

    /** Takes the lease of named transactions, each from its own set of statuses, and reads their branches. */
    private static final String CLAIM = "WITH c AS ("
            + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $9::bool[])"
            + " AS c(gid, from_statuses, to_status, custom_data, only_if_free, leave_due)"
            + "), t AS ("
            + " UPDATE trans_global t SET status = c.to_status,"
            + " owner = CASE WHEN c.leave_due THEN '' ELSE $6 END, lease_token = t.lease_token + 1,"
            + " update_time = now(), custom_data = COALESCE(c.custom_data, t.custom_data),"
            + " next_cron_time = CASE WHEN c.leave_due THEN now() ELSE "
            + String.format(LEASE_END, "$7", "$8", "t.") + " END"
            + " FROM c WHERE t.gid = c.gid AND t.status = ANY(string_to_array(c.from_statuses, ','))"
            + " AND (NOT c.only_if_free OR t.owner = '' OR t.next_cron_time <= now())"
            + " RETURNING " + TX_COLUMNS_T
            + ") " + WITH_BRANCHES;

    /** Takes the lease of up to $2 due transactions, oldest schedule first, skipping rows others hold. */
    private static final String CLAIM_DUE = "WITH due AS ("
            + " SELECT id FROM trans_global"
            + " WHERE status IN ('prepared', 'submitted', 'aborting') AND next_cron_time <= now()"
            + " ORDER BY next_cron_time LIMIT $2 FOR UPDATE SKIP LOCKED"
            + "), t AS ("
            + " UPDATE trans_global t SET owner = $1, lease_token = t.lease_token + 1, update_time = now(),"
            + " next_cron_time = " + String.format(LEASE_END, "$3", "$4", "t.")
            + " FROM due WHERE t.id = due.id"
            + " RETURNING " + TX_COLUMNS_T
            + ") " + WITH_BRANCHES;

    /**
     * Applies many rounds' results: each transaction's row only while its lease token and status still match, and
     * its branch rows only if the transaction's row was updated. Returns the ids of the applied transactions.
     */
    private static final String WRITE = """
            WITH w AS (
              SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::int[],
                                   $7::int[], $8::bool[], $9::float8[], $10::float8[])
                     AS w(id, token, expected, status, reason, retry_count, cron_interval, reschedule, delay, at)
            ), g AS (
              UPDATE trans_global t SET status = w.status, update_time = now(),
                     finish_time = CASE WHEN w.status = 'succeed' THEN now() ELSE t.finish_time END,
                     rollback_time = CASE WHEN w.status = 'failed' THEN now() ELSE t.rollback_time END,
                     rollback_reason = COALESCE(w.reason, t.rollback_reason),
                     retry_count = w.retry_count,
                     next_cron_interval = COALESCE(w.cron_interval, t.next_cron_interval),
                     next_cron_time = CASE WHEN w.reschedule THEN
                         COALESCE(LEAST(now() + make_interval(secs => w.delay),
                                        t.create_time + make_interval(secs => w.at)), now())
                       ELSE t.next_cron_time END,
                     owner = CASE WHEN w.reschedule THEN '' ELSE t.owner END
              FROM w
              WHERE t.id = w.id AND t.lease_token = w.token AND t.status = w.expected
              RETURNING t.id
            ), b AS (
              UPDATE trans_branch_op b SET status = u.status, attempts = u.attempts, last_error = u.last_error,
                     update_time = now(),
                     finish_time = CASE WHEN u.status <> 'prepared' AND b.status = 'prepared' THEN now()
                                        ELSE b.finish_time END
              FROM unnest($11::bigint[], $12::bigint[], $13::text[], $14::int[], $15::text[])
                     AS u(tx_id, id, status, attempts, last_error)
              JOIN g ON g.id = u.tx_id
              WHERE b.id = u.id
              RETURNING b.id
            )
            SELECT id FROM g
            """;

    private static final String FINISH_FROM_OUTSIDE = "UPDATE trans_global SET status = $4, update_time = now(),"
            + " finish_time = CASE WHEN $4 = 'succeed' THEN now() ELSE finish_time END,"
            + " rollback_time = CASE WHEN $4 = 'failed' THEN now() ELSE rollback_time END,"
            + " rollback_reason = COALESCE(NULLIF($5, ''), rollback_reason),"
            + " lease_token = lease_token + 1, owner = ''"
            + " WHERE gid = $1 AND trans_type = $2 AND status = ANY($3::text[])";

    private static final String RESET_CRON_TIME = "WITH late AS ("
            + " SELECT id FROM trans_global"
            + " WHERE status IN ('prepared', 'submitted', 'aborting')"
            + " AND next_cron_time > now() + make_interval(secs => $1::float8)"
            + " ORDER BY next_cron_time LIMIT $2 FOR UPDATE SKIP LOCKED)"
            + " UPDATE trans_global t SET next_cron_time = now(), update_time = now() FROM late WHERE t.id = late.id";

    private static final String COUNT_LATE = "SELECT EXISTS (SELECT 1 FROM trans_global"
            + " WHERE status IN ('prepared', 'submitted', 'aborting')"
            + " AND next_cron_time > now() + make_interval(secs => $1::float8)) AS remaining";

    private final Pool pool;
    private final GlobalTransactionRepository globals;
    private final BranchRepository branches;
    private final Batcher<QueuedWrite, Object> writeQueue;

    public PgTransactionStore(Pool pool, GlobalTransactionRepository globals, BranchRepository branches,
            DtxConfig config) {
        this.pool = pool;
        this.globals = globals;
        this.branches = branches;
        int maxBatch = config.store().maxBatch();
        int inFlight = config.store().maxInFlight();
        // writes of one gid never share a flush: their results could not be told apart
        this.writeQueue = new Batcher<>("write", maxBatch, inFlight, this::flush, QueuedWrite::gid);
    }

    @Override
    public Uni<Boolean> analyzeIfNeverAnalyzed(long minRows) {
        String stats = "SELECT bool_or(last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analyzed,"
                + " coalesce(max(n_live_tup + n_dead_tup), 0) AS rows"
                + " FROM pg_stat_user_tables WHERE relname = 'trans_global' AND schemaname = current_schema()";
        return pool.query(stats).execute().onItem().transformToUni(rs -> {
            Row row = rs.iterator().next();
            if (Boolean.TRUE.equals(row.getBoolean("analyzed"))) {
                return Uni.createFrom().item(true);
            }
            if (row.getLong("rows") < minRows) {
                return Uni.createFrom().item(false);
            }
            return pool.query("ANALYZE trans_global, trans_branch_op").execute().map(done -> {
                Log.infof("analyzed the new tables (%d transactions) so that statements are planned for their size",
                        row.getLong("rows"));
                return true;
            }).onFailure().recoverWithItem(e -> {
                Log.warnf("could not analyze trans_global and trans_branch_op (%s); autovacuum will", e.getMessage());
                return true;
            });
        });
    }

    @Override
    public Uni<InsertResult> insert(NewTransaction tx) {
        return writeQueue.submit(tx).onItem().transformToUni(result -> {
            @SuppressWarnings("unchecked")
            Optional<LoadedTransaction> inserted = (Optional<LoadedTransaction>) result;
            if (inserted.isPresent()) {
                return Uni.createFrom().item(InsertResult.inserted(inserted.get()));
            }
            return find(tx.gid()).map(existing -> InsertResult.conflict(existing.orElseThrow(
                    () -> new IllegalStateException("gid " + tx.gid() + " conflicted but is not stored"))));
        });
    }

    /**
     * Writes whatever has gathered: each kind (new transactions, round results, claims) as one multi-row statement,
     * and several kinds in one database transaction, so that the whole flush is a single commit.
     */
    private Uni<List<Object>> flush(List<QueuedWrite> items) {
        List<NewTransaction> inserts = new ArrayList<>();
        List<RoundWrite> rounds = new ArrayList<>();
        List<ClaimRequest> claims = new ArrayList<>();
        for (QueuedWrite item : items) {
            if (item instanceof NewTransaction t) {
                inserts.add(t);
            } else if (item instanceof RoundWrite w) {
                rounds.add(w);
            } else {
                claims.add((ClaimRequest) item);
            }
        }
        int kinds = (inserts.isEmpty() ? 0 : 1) + (rounds.isEmpty() ? 0 : 1) + (claims.isEmpty() ? 0 : 1);
        Function<SqlClient, Uni<Map<Object, Object>>> work = client -> {
            List<Uni<Map<Object, Object>>> parts = new ArrayList<>(3);
            if (!inserts.isEmpty()) {
                parts.add(insertBatch(client, inserts).map(r -> zip(inserts, r)));
            }
            if (!rounds.isEmpty()) {
                parts.add(writeBatch(client, rounds).map(r -> zip(rounds, r)));
            }
            if (!claims.isEmpty()) {
                parts.add(claimBatch(client, claims).map(r -> zip(claims, r)));
            }
            return Uni.join().all(parts).andFailFast().map(maps -> {
                Map<Object, Object> all = new IdentityHashMap<>();
                maps.forEach(all::putAll);
                return all;
            });
        };
        Uni<Map<Object, Object>> done = kinds == 1 ? work.apply(pool)
                : pool.withTransaction(conn -> work.apply(conn));
        return done.map(results -> {
            List<Object> out = new ArrayList<>(items.size());
            for (QueuedWrite item : items) {
                out.add(results.get(item));
            }
            return out;
        });
    }

    private static <T> Map<Object, Object> zip(List<T> items, List<?> results) {
        Map<Object, Object> m = new IdentityHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            m.put(items.get(i), results.get(i));
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Optional<LoadedTransaction> loaded(Object result) {
        return (Optional<LoadedTransaction>) result;
    }

    private Uni<List<Optional<LoadedTransaction>>> insertBatch(SqlClient client, List<NewTransaction> txs) {
        int n = txs.size();
        String[] gids = new String[n], types = new String[n], statuses = new String[n], queries = new String[n];
        String[] protocols = new String[n], options = new String[n], customData = new String[n], owners = new String[n];
        Integer[] intervals = new Integer[n], requestTimeouts = new Integer[n];
        Double[] delays = new Double[n], ats = new Double[n];
        Long[] tokens = new Long[n];
        List<String> bGids = new ArrayList<>(), bUrls = new ArrayList<>(), bIds = new ArrayList<>(), bOps = new ArrayList<>();
        List<Buffer> bData = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NewTransaction tx = txs.get(i);
            boolean owned = isOwned(tx);
            gids[i] = tx.gid();
            types[i] = tx.type().wire();
            statuses[i] = tx.status().wire();
            queries[i] = tx.queryPrepared();
            protocols[i] = tx.protocol();
            options[i] = tx.optionsJson();
            customData[i] = tx.customData();
            intervals[i] = (int) tx.nextCronInterval();
            delays[i] = seconds(tx.firstRun().delaySeconds());
            ats[i] = seconds(tx.firstRun().atSecondsAfterCreate());
            owners[i] = owned ? tx.owner() : "";
            tokens[i] = owned ? 1L : 0L;
            requestTimeouts[i] = tx.requestTimeout();
            for (NewBranch b : tx.branches()) {
                bGids.add(tx.gid());
                bUrls.add(b.url());
                bData.add(Buffer.buffer(b.data()));
                bIds.add(b.branchId());
                bOps.add(b.op());
            }
        }
        Tuple params = Tuple.from(Arrays.asList(gids, types, statuses, queries, protocols, options, customData,
                intervals, delays, ats, owners, tokens, requestTimeouts, bGids.toArray(String[]::new),
                bUrls.toArray(String[]::new), bData.toArray(Buffer[]::new), bIds.toArray(String[]::new),
                bOps.toArray(String[]::new)));
        return client.preparedQuery(INSERT).execute(params).map(rs -> {
            Map<String, Long> txIds = new HashMap<>();
            Map<String, Long> branchIds = new HashMap<>();
            for (Row r : rs) {
                String op = r.getString("op");
                if (op == null) {
                    txIds.put(r.getString("gid"), r.getLong("row_id"));
                } else {
                    branchIds.put(r.getString("gid") + "/" + r.getString("branch_id") + "/" + op, r.getLong("row_id"));
                }
            }
            List<Optional<LoadedTransaction>> out = new ArrayList<>(n);
            for (NewTransaction tx : txs) {
                Long id = txIds.get(tx.gid());
                out.add(id == null ? Optional.empty() : Optional.of(loaded(tx, id, branchIds)));
            }
            return out;
        });
    }

    private static boolean isOwned(NewTransaction tx) {
        return tx.owner() != null && !tx.owner().isEmpty();
    }

    private static LoadedTransaction loaded(NewTransaction tx, long id, Map<String, Long> branchIds) {
        List<StoredBranch> stored = new ArrayList<>(tx.branches().size());
        for (NewBranch b : tx.branches()) {
            stored.add(new StoredBranch(branchIds.get(tx.gid() + "/" + b.branchId() + "/" + b.op()), tx.gid(),
                    b.branchId(), b.op(), b.url(), b.data(), "prepared", 0, ""));
        }
        boolean owned = isOwned(tx);
        StoredTransaction header = new StoredTransaction(id, tx.gid(), tx.type().wire(), tx.status().wire(),
                tx.protocol(), tx.queryPrepared(), tx.optionsJson(), tx.customData(), "", tx.nextCronInterval(), 0,
                owned ? 1L : 0L, owned ? tx.owner() : "", 0.0);
        return new LoadedTransaction(header, stored);
    }

    @Override
    public Uni<Optional<StoredTransaction>> find(String gid) {
        return pool.preparedQuery(FIND).execute(Tuple.of(gid))
                .map(rs -> rs.size() == 0 ? Optional.empty() : Optional.of(transaction(rs.iterator().next())));
    }

    @Override
    public Uni<Optional<LoadedTransaction>> claim(String gid, Set<GlobalStatus> from, GlobalStatus to,
            String customData, boolean onlyIfFree, boolean leaveDue, LeaseTerms lease) {
        return writeQueue.submit(new ClaimRequest(gid, from, to, customData, onlyIfFree, leaveDue, lease))
                .map(PgTransactionStore::loaded);
    }

    /** One transaction to take over now; see {@link #claim}. */
    private record ClaimRequest(String gid, Set<GlobalStatus> from, GlobalStatus to, String customData,
            boolean onlyIfFree, boolean leaveDue, LeaseTerms lease) implements QueuedWrite {
    }

    private Uni<List<Optional<LoadedTransaction>>> claimBatch(SqlClient client, List<ClaimRequest> requests) {
        int n = requests.size();
        String[] gids = new String[n], from = new String[n], to = new String[n], customData = new String[n];
        Boolean[] onlyIfFree = new Boolean[n], leaveDue = new Boolean[n];
        for (int i = 0; i < n; i++) {
            ClaimRequest r = requests.get(i);
            gids[i] = r.gid();
            from[i] = String.join(",", r.from().stream().map(GlobalStatus::wire).toList());
            to[i] = r.to().wire();
            customData[i] = r.customData();
            onlyIfFree[i] = r.onlyIfFree();
            leaveDue[i] = r.leaveDue();
        }
        LeaseTerms lease = requests.get(0).lease();
        Tuple params = Tuple.from(Arrays.asList(gids, from, to, customData, onlyIfFree, lease.owner(),
                lease.extraSeconds(), lease.defaultRequestTimeoutSeconds(), leaveDue));
        return client.preparedQuery(CLAIM).execute(params).map(rs -> {
            Map<String, LoadedTransaction> byGid = new HashMap<>();
            for (LoadedTransaction t : withBranches(rs)) {
                byGid.put(t.transaction().gid(), t);
            }
            List<Optional<LoadedTransaction>> out = new ArrayList<>(n);
            for (ClaimRequest r : requests) {
                out.add(Optional.ofNullable(byGid.get(r.gid())));
            }
            return out;
        });
    }

    @Override
    public Uni<List<LoadedTransaction>> claimDue(int limit, LeaseTerms lease) {
        Tuple params = Tuple.of(lease.owner(), limit, lease.extraSeconds(), lease.defaultRequestTimeoutSeconds());
        return pool.preparedQuery(CLAIM_DUE).execute(params).map(PgTransactionStore::withBranches);
    }

    /** Claimed transactions from rows of a transaction's columns joined with one of its branches each. */
    private static List<LoadedTransaction> withBranches(RowSet<Row> rs) {
        List<LoadedTransaction> out = new ArrayList<>();
        StoredTransaction current = null;
        List<StoredBranch> branches = null;
        for (Row r : rs) {
            long id = r.getLong("id");
            if (current == null || current.id() != id) {
                if (current != null) {
                    out.add(new LoadedTransaction(current, branches));
                }
                current = transaction(r);
                branches = new ArrayList<>();
            }
            Long branchId = r.getLong("b_id");
            if (branchId != null) {
                branches.add(new StoredBranch(branchId, current.gid(), r.getString("b_branch_id"), r.getString("b_op"),
                        r.getString("b_url"), r.getBuffer("b_data").getBytes(), r.getString("b_status"),
                        r.getInteger("b_attempts"), r.getString("b_last_error")));
            }
        }
        if (current != null) {
            out.add(new LoadedTransaction(current, branches));
        }
        return out;
    }

    @Override
    public Uni<Boolean> write(RoundWrite w) {
        return writeQueue.submit(w).map(Boolean.class::cast);
    }

    private Uni<List<Boolean>> writeBatch(SqlClient client, List<RoundWrite> ws) {
        int n = ws.size();
        Long[] ids = new Long[n], tokens = new Long[n];
        String[] expected = new String[n], statuses = new String[n], reasons = new String[n];
        Integer[] retryCounts = new Integer[n], intervals = new Integer[n];
        Boolean[] reschedule = new Boolean[n];
        Double[] delays = new Double[n], ats = new Double[n];
        List<Long> bTx = new ArrayList<>(), bIds = new ArrayList<>();
        List<String> bStatuses = new ArrayList<>(), bErrors = new ArrayList<>();
        List<Integer> bAttempts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RoundWrite w = ws.get(i);
            NextRun run = w.nextRun();
            ids[i] = w.id();
            tokens[i] = w.leaseToken();
            expected[i] = w.expected().wire();
            statuses[i] = w.status().wire();
            reasons[i] = w.rollbackReason();
            retryCounts[i] = w.retryCount();
            intervals[i] = run == null ? null : (int) run.intervalSeconds();
            reschedule[i] = run != null;
            delays[i] = run == null ? null : seconds(run.delaySeconds());
            ats[i] = run == null ? null : seconds(run.atSecondsAfterCreate());
            for (RoundWrite.BranchUpdate b : w.branches()) {
                bTx.add(w.id());
                bIds.add(b.id());
                bStatuses.add(b.status());
                bAttempts.add(b.attempts());
                bErrors.add(b.lastError());
            }
        }
        Tuple params = Tuple.from(Arrays.asList(ids, tokens, expected, statuses, reasons, retryCounts, intervals,
                reschedule, delays, ats, bTx.toArray(Long[]::new), bIds.toArray(Long[]::new),
                bStatuses.toArray(String[]::new), bAttempts.toArray(Integer[]::new), bErrors.toArray(String[]::new)));
        return client.preparedQuery(WRITE).execute(params).map(rs -> {
            Set<Long> applied = new HashSet<>();
            for (Row r : rs) {
                applied.add(r.getLong("id"));
            }
            List<Boolean> out = new ArrayList<>(n);
            for (RoundWrite w : ws) {
                out.add(applied.contains(w.id()));
            }
            return out;
        });
    }

    @Override
    public Uni<Boolean> finishFromOutside(String gid, String transType, Set<GlobalStatus> from, GlobalStatus to,
            String rollbackReason) {
        Tuple params = Tuple.of(gid, transType, wires(from), to.wire(), rollbackReason == null ? "" : rollbackReason);
        return pool.preparedQuery(FINISH_FROM_OUTSIDE).execute(params).map(rs -> rs.rowCount() > 0);
    }

    @Override
    public Uni<Boolean> forceStop(String gid) {
        return Panache.withTransaction(() -> globals.forceStop(gid)).map(n -> n > 0);
    }

    @Override
    public Uni<Boolean> resetNextCronTime(String gid) {
        return Panache.withTransaction(() -> globals.resetNextCronTime(gid)).map(n -> n > 0);
    }

    @Override
    public Uni<ResetResult> resetCronTime(long afterSeconds, int limit) {
        Tuple params = Tuple.of((double) afterSeconds, limit);
        return pool.preparedQuery(RESET_CRON_TIME).execute(params).onItem().transformToUni(rs -> {
            long count = rs.rowCount();
            if (count < limit) {
                return Uni.createFrom().item(new ResetResult(count, false));
            }
            return pool.preparedQuery(COUNT_LATE).execute(Tuple.of((double) afterSeconds))
                    .map(r -> new ResetResult(count, r.iterator().next().getBoolean("remaining")));
        });
    }

    @Override
    public Uni<Optional<TransactionView>> view(String gid) {
        return Panache.withSession(() -> globals.findByGid(gid))
                .map(e -> e == null ? Optional.<TransactionView> empty() : Optional.of(e.toView()));
    }

    @Override
    public Uni<List<BranchView>> branchViews(String gid) {
        return Panache.withSession(() -> branches.listByGid(gid))
                .map(list -> list.stream().map(BranchEntity::toView).toList());
    }

    @Override
    public Uni<TransactionPage> page(TransactionFilter filter) {
        return Panache.withSession(() -> globals.page(filter)).map(list -> {
            List<TransactionView> views = list.stream().map(GlobalTransactionEntity::toView).toList();
            String next = views.size() < filter.limit() ? "" : Long.toString(views.get(views.size() - 1).id());
            return new TransactionPage(views, next);
        });
    }

    private static StoredTransaction transaction(Row r) {
        return new StoredTransaction(r.getLong("id"), r.getString("gid"), r.getString("trans_type"),
                r.getString("status"), r.getString("protocol"), r.getString("query_prepared"), r.getString("options"),
                r.getString("custom_data"), r.getString("rollback_reason"), r.getInteger("next_cron_interval"),
                r.getInteger("retry_count"), r.getLong("lease_token"), r.getString("owner"), r.getDouble("age"));
    }

    private static String[] wires(Set<GlobalStatus> statuses) {
        return statuses.stream().map(GlobalStatus::wire).toArray(String[]::new);
    }

    private static Double seconds(Long s) {
        return s == null ? null : s.doubleValue();
    }
}
