package io.dtx.domain;

/**
 * DTM's retry intervals (§5.3) with dtx's cap: the base is the transaction's {@code retry_interval}, else its
 * {@code timeout_to_fail} when shorter than the server interval, else the server interval; errors double the
 * interval up to {@code maxInterval}; ongoing keeps it.
 */
public record RetryPolicy(long serverIntervalSeconds, long maxIntervalSeconds, long serverTimeoutSeconds) {

    public long baseInterval(TransactionOptions options) {
        if (options.retryInterval() > 0) {
            return options.retryInterval();
        }
        if (options.timeoutToFail() > 0 && options.timeoutToFail() < serverIntervalSeconds) {
            return options.timeoutToFail();
        }
        return serverIntervalSeconds;
    }

    /**
     * @param progressed whether a branch succeeded in the round; back-off then restarts from the base interval
     */
    public NextRun next(Schedule schedule, long currentInterval, boolean progressed, TransType type,
            GlobalStatus status, TransactionOptions options) {
        long base = baseInterval(options);
        long current = currentInterval > 0 ? currentInterval : base;
        NextRun run = switch (schedule.kind()) {
            case RESET -> new NextRun(base, base, null);
            case KEEP -> new NextRun(current, current, null);
            case BACKOFF -> {
                long from = progressed ? base : current;
                long doubled = Math.min(from * 2, Math.max(maxIntervalSeconds, base));
                yield new NextRun(doubled, doubled, null);
            }
            case IMMEDIATE -> new NextRun(current, 0L, null);
            case AFTER_CREATE -> new NextRun(current, null, schedule.seconds());
        };
        // A saga that can still time out is looked at again when it does, whatever its retry interval.
        long timeout = options.effectiveTimeout(type, serverTimeoutSeconds);
        if (status == GlobalStatus.SUBMITTED && type == TransType.SAGA && timeout > 0
                && run.atSecondsAfterCreate() == null) {
            return new NextRun(run.intervalSeconds(), run.delaySeconds(), timeout);
        }
        return run;
    }
}
