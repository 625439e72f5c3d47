package io.dtx.store;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** Panache repository of branch operations (read side). */
@ApplicationScoped
public class BranchRepository implements PanacheRepositoryBase<BranchEntity, Long> {

    /** Branches in insertion order, which is DTM's processing order. */
    public Uni<List<BranchEntity>> listByGid(String gid) {
        return list("gid", Sort.ascending("id"), gid);
    }
}
