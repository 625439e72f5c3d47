package io.dtx.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.dtx.domain.BranchView;
import io.dtx.domain.GlobalStatus;
import io.dtx.domain.NextRun;
import io.dtx.domain.TransactionFilter;
import io.dtx.domain.TransactionPage;
import io.dtx.domain.TransactionSpec.NewBranch;
import io.dtx.domain.TransactionView;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
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

    private static final String INSERT = """
            WITH g AS (
              INSERT INTO trans_global (gid, trans_type, status, query_prepared, protocol, options, custom_data,
                                        next_cron_interval, next_cron_time, owner, lease_token, request_timeout)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                      COALESCE(LEAST(now() + make_interval(secs => $9::float8),
                                     now() + make_interval(secs => $10::float8)), now()),
                      $11, $12, $13)
              ON CONFLICT (gid) DO NOTHING
              RETURNING id
            ), b AS (
              INSERT INTO trans_branch_op (gid, url, bin_data, branch_id, op, status)
              SELECT $1, u.url, u.data, u.branch_id, u.op, 'prepared'
              FROM g, unnest($14::text[], $15::bytea[], $16::text[], $17::text[])
                      WITH ORDINALITY AS u(url, data, branch_id, op, ord)
              ORDER BY u.ord
              RETURNING id, branch_id, op
            )
            SELECT g.id AS tx_id, b.id AS branch_row_id, b.branch_id, b.op FROM g LEFT JOIN b ON true
            """;

    private static final String FIND = "SELECT " + TX_COLUMNS + " FROM trans_global WHERE gid = $1";

    private static final String CLAIM = "UPDATE trans_global t SET status = $3, owner = $4,"
            + " lease_token = t.lease_token + 1, update_time = now(),"
            + " custom_data = COALESCE($5, t.custom_data),"
            + " next_cron_time = " + String.format(LEASE_END, "$6", "$7", "t.")
            + " WHERE t.gid = $1 AND t.status = ANY($2::text[])"
            + " AND (NOT $8 OR t.owner = '' OR t.next_cron_time <= now())"
            + " RETURNING " + TX_COLUMNS_T;

    private static final String CLAIM_DUE = "WITH due AS ("
            + " SELECT id FROM trans_global"
            + " WHERE status IN ('prepared', 'submitted', 'aborting') AND next_cron_time <= now()"
            + " ORDER BY next_cron_time LIMIT $2 FOR UPDATE SKIP LOCKED)"
            + " UPDATE trans_global t SET owner = $1, lease_token = t.lease_token + 1, update_time = now(),"
            + " next_cron_time = " + String.format(LEASE_END, "$3", "$4", "t.")
            + " FROM due WHERE t.id = due.id"
            + " RETURNING " + TX_COLUMNS_T;

    private static final String BRANCHES = "SELECT id, gid, branch_id, op, url, bin_data, status, attempts, last_error"
            + " FROM trans_branch_op WHERE gid = ANY($1::text[]) ORDER BY id";

    private static final String WRITE = "WITH g AS ("
            + " UPDATE trans_global SET status = $4, update_time = now(),"
            + " finish_time = CASE WHEN $4 = 'succeed' THEN now() ELSE finish_time END,"
            + " rollback_time = CASE WHEN $4 = 'failed' THEN now() ELSE rollback_time END,"
            + " rollback_reason = COALESCE($5, rollback_reason),"
            + " retry_count = $6,"
            + " next_cron_interval = COALESCE($7::int, next_cron_interval),"
            + " next_cron_time = CASE WHEN $8 THEN " + String.format(NEXT_RUN, "$9", "$10")
            + " ELSE next_cron_time END,"
            + " owner = CASE WHEN $8 THEN '' ELSE owner END"
            + " WHERE id = $1 AND lease_token = $2 AND status = $3"
            + " RETURNING id"
            + "), b AS ("
            + " UPDATE trans_branch_op b SET status = u.status, attempts = u.attempts, last_error = u.last_error,"
            + " update_time = now(),"
            + " finish_time = CASE WHEN u.status <> 'prepared' AND b.status = 'prepared' THEN now()"
            + " ELSE b.finish_time END"
            + " FROM g, unnest($11::bigint[], $12::text[], $13::int[], $14::text[]) AS u(id, status, attempts, last_error)"
            + " WHERE b.id = u.id"
            + " RETURNING b.id"
            + ") SELECT count(*) AS applied FROM g";

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

    public PgTransactionStore(Pool pool, GlobalTransactionRepository globals, BranchRepository branches) {
        this.pool = pool;
        this.globals = globals;
        this.branches = branches;
    }

    @Override
    public Uni<InsertResult> insert(NewTransaction tx) {
        List<NewBranch> rows = tx.branches();
        String[] urls = new String[rows.size()];
        Buffer[] data = new Buffer[rows.size()];
        String[] ids = new String[rows.size()];
        String[] ops = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            NewBranch b = rows.get(i);
            urls[i] = b.url();
            data[i] = Buffer.buffer(b.data());
            ids[i] = b.branchId();
            ops[i] = b.op();
        }
        boolean owned = tx.owner() != null && !tx.owner().isEmpty();
        NextRun run = tx.firstRun();
        Tuple params = Tuple.from(Arrays.asList(tx.gid(), tx.type().wire(), tx.status().wire(), tx.queryPrepared(),
                tx.protocol(), tx.optionsJson(), tx.customData(), (int) tx.nextCronInterval(),
                seconds(run.delaySeconds()), seconds(run.atSecondsAfterCreate()), owned ? tx.owner() : "",
                owned ? 1L : 0L, tx.requestTimeout(), urls, data, ids, ops));
        return pool.preparedQuery(INSERT).execute(params).onItem().transformToUni(rs -> {
            if (rs.size() == 0) {
                return find(tx.gid()).map(existing -> InsertResult.conflict(existing.orElseThrow(
                        () -> new IllegalStateException("gid " + tx.gid() + " conflicted but is not stored"))));
            }
            return Uni.createFrom().item(InsertResult.inserted(loadedFromInsert(tx, rs, owned)));
        });
    }

    private static LoadedTransaction loadedFromInsert(NewTransaction tx, RowSet<Row> rs, boolean owned) {
        Map<String, Long> rowIds = new LinkedHashMap<>();
        long id = 0;
        for (Row r : rs) {
            id = r.getLong("tx_id");
            Long branchRow = r.getLong("branch_row_id");
            if (branchRow != null) {
                rowIds.put(r.getString("branch_id") + "/" + r.getString("op"), branchRow);
            }
        }
        List<StoredBranch> stored = new ArrayList<>(tx.branches().size());
        for (NewBranch b : tx.branches()) {
            stored.add(new StoredBranch(rowIds.get(b.branchId() + "/" + b.op()), tx.gid(), b.branchId(), b.op(),
                    b.url(), b.data(), "prepared", 0, ""));
        }
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
            String customData, boolean onlyIfFree, LeaseTerms lease) {
        Tuple params = Tuple.from(Arrays.asList(gid, wires(from), to.wire(), lease.owner(), customData,
                lease.extraSeconds(), lease.defaultRequestTimeoutSeconds(), onlyIfFree));
        return pool.preparedQuery(CLAIM).execute(params).onItem().transformToUni(rs -> {
            if (rs.size() == 0) {
                return Uni.createFrom().item(Optional.<LoadedTransaction> empty());
            }
            return withBranches(List.of(transaction(rs.iterator().next())))
                    .map(list -> Optional.of(list.get(0)));
        });
    }

    @Override
    public Uni<List<LoadedTransaction>> claimDue(int limit, LeaseTerms lease) {
        Tuple params = Tuple.of(lease.owner(), limit, lease.extraSeconds(), lease.defaultRequestTimeoutSeconds());
        return pool.preparedQuery(CLAIM_DUE).execute(params).onItem().transformToUni(rs -> {
            List<StoredTransaction> claimed = new ArrayList<>(rs.size());
            for (Row r : rs) {
                claimed.add(transaction(r));
            }
            return claimed.isEmpty() ? Uni.createFrom().item(List.<LoadedTransaction> of()) : withBranches(claimed);
        });
    }

    private Uni<List<LoadedTransaction>> withBranches(List<StoredTransaction> txs) {
        String[] gids = txs.stream().map(StoredTransaction::gid).toArray(String[]::new);
        return pool.preparedQuery(BRANCHES).execute(Tuple.of(gids)).map(rs -> {
            Map<String, List<StoredBranch>> byGid = new LinkedHashMap<>();
            for (Row r : rs) {
                StoredBranch b = branch(r);
                byGid.computeIfAbsent(b.gid(), k -> new ArrayList<>()).add(b);
            }
            List<LoadedTransaction> out = new ArrayList<>(txs.size());
            for (StoredTransaction t : txs) {
                out.add(new LoadedTransaction(t, byGid.getOrDefault(t.gid(), List.of())));
            }
            return out;
        });
    }

    @Override
    public Uni<Boolean> write(RoundWrite w) {
        int n = w.branches().size();
        Long[] ids = new Long[n];
        String[] statuses = new String[n];
        Integer[] attempts = new Integer[n];
        String[] errors = new String[n];
        for (int i = 0; i < n; i++) {
            RoundWrite.BranchUpdate b = w.branches().get(i);
            ids[i] = b.id();
            statuses[i] = b.status();
            attempts[i] = b.attempts();
            errors[i] = b.lastError();
        }
        NextRun run = w.nextRun();
        Tuple params = Tuple.from(Arrays.asList(w.id(), w.leaseToken(), w.expected().wire(), w.status().wire(),
                w.rollbackReason(), w.retryCount(), run == null ? null : (int) run.intervalSeconds(), run != null,
                run == null ? null : seconds(run.delaySeconds()), run == null ? null : seconds(run.atSecondsAfterCreate()),
                ids, statuses, attempts, errors));
        return pool.preparedQuery(WRITE).execute(params).map(rs -> rs.iterator().next().getLong("applied") > 0);
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

    private static StoredBranch branch(Row r) {
        return new StoredBranch(r.getLong("id"), r.getString("gid"), r.getString("branch_id"), r.getString("op"),
                r.getString("url"), r.getBuffer("bin_data").getBytes(), r.getString("status"),
                r.getInteger("attempts"), r.getString("last_error"));
    }

    private static String[] wires(Set<GlobalStatus> statuses) {
        return statuses.stream().map(GlobalStatus::wire).toArray(String[]::new);
    }

    private static Double seconds(Long s) {
        return s == null ? null : s.doubleValue();
    }
}
