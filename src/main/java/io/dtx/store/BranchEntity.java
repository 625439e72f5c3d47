package io.dtx.store;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.dtx.domain.BranchView;

/** The {@code trans_branch_op} table for Hibernate Reactive (reads). */
@Entity
@Table(name = "trans_branch_op")
public class BranchEntity {
    @Id
    public Long id;
    public String gid;
    public String url;
    @Column(name = "bin_data")
    public byte[] binData;
    @Column(name = "branch_id")
    public String branchId;
    public String op;
    public String status;
    @Column(name = "finish_time")
    public OffsetDateTime finishTime;
    @Column(name = "rollback_time")
    public OffsetDateTime rollbackTime;
    @Column(name = "create_time")
    public OffsetDateTime createTime;
    @Column(name = "update_time")
    public OffsetDateTime updateTime;
    public int attempts;
    @Column(name = "last_error")
    public String lastError;

    public BranchView toView() {
        return new BranchView(id, gid, url, binData, branchId, op, status, createTime, updateTime, finishTime,
                rollbackTime, attempts, lastError);
    }
}
