package io.dtx.domain;

import java.time.OffsetDateTime;

/** A stored branch operation as {@code query} shows it. */
public record BranchView(
        long id,
        String gid,
        String url,
        byte[] binData,
        String branchId,
        String op,
        String status,
        OffsetDateTime createTime,
        OffsetDateTime updateTime,
        OffsetDateTime finishTime,
        OffsetDateTime rollbackTime,
        int attempts,
        String lastError) {
}
