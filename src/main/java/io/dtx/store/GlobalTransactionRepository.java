package io.dtx.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.dtx.domain.TransactionFilter;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** Panache repository of global transactions: the read side and the operator's updates. */
@ApplicationScoped
public class GlobalTransactionRepository implements PanacheRepositoryBase<GlobalTransactionEntity, Long> {

    public Uni<GlobalTransactionEntity> findByGid(String gid) {
        return find("gid", gid).firstResult();
    }

    public Uni<List<GlobalTransactionEntity>> page(TransactionFilter filter) {
        StringBuilder where = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        filter.position().ifPresent(p -> {
            where.append(" and id < :position");
            params.put("position", p);
        });
        filter.status().ifPresent(s -> {
            where.append(" and status = :status");
            params.put("status", s);
        });
        filter.transType().ifPresent(t -> {
            where.append(" and transType = :transType");
            params.put("transType", t);
        });
        filter.createTimeStart().ifPresent(t -> {
            where.append(" and createTime >= :start");
            params.put("start", t.atOffset(java.time.ZoneOffset.UTC));
        });
        filter.createTimeEnd().ifPresent(t -> {
            where.append(" and createTime <= :end");
            params.put("end", t.atOffset(java.time.ZoneOffset.UTC));
        });
        return find(where.toString(), Sort.descending("id"), params).range(0, filter.limit() - 1).list();
    }

    /** Sets a still unfinished transaction to failed without compensating; bumps the fence so no round applies. */
    public Uni<Integer> forceStop(String gid) {
        return update("status = 'failed', rollbackTime = current_timestamp, updateTime = current_timestamp,"
                + " leaseToken = leaseToken + 1, owner = ''"
                + " where gid = :gid and status in ('prepared', 'submitted', 'aborting')",
                Parameters.with("gid", gid));
    }

    /** Makes a transaction due now (DTM sets it whatever the status). */
    public Uni<Integer> resetNextCronTime(String gid) {
        return update("nextCronTime = current_timestamp, updateTime = current_timestamp where gid = :gid",
                Parameters.with("gid", gid));
    }

}
