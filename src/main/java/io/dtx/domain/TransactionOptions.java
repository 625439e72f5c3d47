package io.dtx.domain;

import java.util.Map;

/**
 * Per-transaction options as DTM stores them in the {@code options} column. Durations are whole seconds, 0 meaning
 * "use the server default".
 */
public record TransactionOptions(
        boolean waitResult,
        long timeoutToFail,
        long requestTimeout,
        long retryInterval,
        Map<String, String> branchHeaders,
        boolean concurrent,
        long retryLimit) {

    public static final TransactionOptions DEFAULTS = new TransactionOptions(false, 0, 0, 0, Map.of(), false, 0);

    public TransactionOptions {
        branchHeaders = branchHeaders == null ? Map.of() : Map.copyOf(branchHeaders);
    }

    public TransactionOptions withWaitResult(boolean wait) {
        return new TransactionOptions(wait, timeoutToFail, requestTimeout, retryInterval, branchHeaders, concurrent,
                retryLimit);
    }

    /** The timeout that applies to a transaction of this type, given the server default. 0 means never. */
    public long effectiveTimeout(TransType type, long serverDefaultSeconds) {
        if (timeoutToFail > 0) {
            return timeoutToFail;
        }
        return type.usesDefaultTimeout() ? serverDefaultSeconds : 0;
    }

    /** The per-call timeout towards participants, given the server default. */
    public long effectiveRequestTimeout(long serverDefaultSeconds) {
        return requestTimeout > 0 ? requestTimeout : serverDefaultSeconds;
    }
}
