package io.dtx.store;

/** A {@code trans_branch_op} row as a round needs it. */
public record StoredBranch(
        long id,
        String gid,
        String branchId,
        String op,
        String url,
        byte[] data,
        String status,
        int attempts,
        String lastError) {
}
