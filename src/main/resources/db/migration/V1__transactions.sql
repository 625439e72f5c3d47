-- Global transactions and their branch operations, in DTM's shape (column names and meanings of
-- dtm-protocol.md §6.1) with dtx's additions: retry_count, lease_token, request_timeout and the
-- per-branch attempts and last_error. Text columns are unbounded; dtx limits sizes itself.

CREATE TABLE trans_global (
    id                 bigserial PRIMARY KEY,
    gid                text        NOT NULL,
    trans_type         text        NOT NULL,
    status             text        NOT NULL,
    query_prepared     text        NOT NULL DEFAULT '',
    protocol           text        NOT NULL DEFAULT 'http',
    create_time        timestamptz NOT NULL DEFAULT now(),
    update_time        timestamptz NOT NULL DEFAULT now(),
    finish_time        timestamptz,
    rollback_time      timestamptz,
    options            text        NOT NULL DEFAULT '',
    custom_data        text        NOT NULL DEFAULT '',
    next_cron_interval integer     NOT NULL,
    next_cron_time     timestamptz NOT NULL,
    owner              text        NOT NULL DEFAULT '',
    ext_data           text        NOT NULL DEFAULT '',
    result             text        NOT NULL DEFAULT '',
    rollback_reason    text        NOT NULL DEFAULT '',
    -- failed action attempts of a saga, counted against retry_limit across rounds and restarts
    retry_count        integer     NOT NULL DEFAULT 0,
    -- fencing value: bumped by every claim; a round's writes only apply while it still matches
    lease_token        bigint      NOT NULL DEFAULT 0,
    -- the transaction's own branch call timeout in seconds (0: server default); sizes its lease
    request_timeout    integer     NOT NULL DEFAULT 0,
    CONSTRAINT trans_global_gid_uniq UNIQUE (gid),
    CONSTRAINT trans_global_status_check
        CHECK (status IN ('prepared', 'submitted', 'aborting', 'succeed', 'failed'))
);

-- Recovery claims due work in next_cron_time order; finished rows never enter this index.
CREATE INDEX trans_global_due ON trans_global (next_cron_time)
    WHERE status IN ('prepared', 'submitted', 'aborting');

CREATE INDEX trans_global_create_time ON trans_global (create_time);

CREATE TABLE trans_branch_op (
    id            bigserial PRIMARY KEY,
    gid           text        NOT NULL,
    url           text        NOT NULL DEFAULT '',
    bin_data      bytea       NOT NULL DEFAULT '\x',
    branch_id     text        NOT NULL,
    op            text        NOT NULL,
    status        text        NOT NULL,
    finish_time   timestamptz,
    rollback_time timestamptz,
    create_time   timestamptz NOT NULL DEFAULT now(),
    update_time   timestamptz NOT NULL DEFAULT now(),
    -- calls made to this branch so far, and the last answer that was not a success
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text        NOT NULL DEFAULT '',
    CONSTRAINT gid_branch_uniq UNIQUE (gid, branch_id, op)
);
