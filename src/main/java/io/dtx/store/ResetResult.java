package io.dtx.store;

/** Answer of {@code resetCronTime}: how many transactions were made due now, and whether more qualify. */
public record ResetResult(long succeedCount, boolean hasRemaining) {
}
