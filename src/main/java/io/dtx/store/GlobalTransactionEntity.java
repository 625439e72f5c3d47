package io.dtx.store;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.dtx.domain.TransactionView;

/** The {@code trans_global} table for Hibernate Reactive (reads and operator updates). */
@Entity
@Table(name = "trans_global")
public class GlobalTransactionEntity {
    @Id
    public Long id;
    public String gid;
    @Column(name = "trans_type")
    public String transType;
    public String status;
    @Column(name = "query_prepared")
    public String queryPrepared;
    public String protocol;
    @Column(name = "create_time")
    public OffsetDateTime createTime;
    @Column(name = "update_time")
    public OffsetDateTime updateTime;
    @Column(name = "finish_time")
    public OffsetDateTime finishTime;
    @Column(name = "rollback_time")
    public OffsetDateTime rollbackTime;
    public String options;
    @Column(name = "custom_data")
    public String customData;
    @Column(name = "next_cron_interval")
    public Integer nextCronInterval;
    @Column(name = "next_cron_time")
    public OffsetDateTime nextCronTime;
    public String owner;
    @Column(name = "ext_data")
    public String extData;
    public String result;
    @Column(name = "rollback_reason")
    public String rollbackReason;
    @Column(name = "retry_count")
    public int retryCount;
    @Column(name = "lease_token")
    public long leaseToken;
    @Column(name = "request_timeout")
    public int requestTimeout;

    public TransactionView toView() {
        return new TransactionView(id, gid, transType, status, queryPrepared, protocol, createTime, updateTime,
                finishTime, rollbackTime, options, customData, nextCronInterval == null ? 0 : nextCronInterval,
                nextCronTime, owner, extData, result, rollbackReason, retryCount);
    }
}
