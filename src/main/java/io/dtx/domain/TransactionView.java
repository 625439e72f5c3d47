package io.dtx.domain;

import java.time.OffsetDateTime;

/** A stored global transaction as {@code query} and {@code all} show it. */
public record TransactionView(
        long id,
        String gid,
        String transType,
        String status,
        String queryPrepared,
        String protocol,
        OffsetDateTime createTime,
        OffsetDateTime updateTime,
        OffsetDateTime finishTime,
        OffsetDateTime rollbackTime,
        String options,
        String customData,
        long nextCronInterval,
        OffsetDateTime nextCronTime,
        String owner,
        String extData,
        String result,
        String rollbackReason,
        int retryCount) {
}
