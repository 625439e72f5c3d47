package io.dtx.store;

/**
 * The processing-relevant columns of a {@code trans_global} row, with its age by database time.
 *
 * @param ageSeconds {@code now() - create_time} when the row was read, in seconds
 */
public record StoredTransaction(
        long id,
        String gid,
        String transType,
        String status,
        String protocol,
        String queryPrepared,
        String options,
        String customData,
        String rollbackReason,
        long nextCronInterval,
        int retryCount,
        long leaseToken,
        String owner,
        double ageSeconds) {
}
