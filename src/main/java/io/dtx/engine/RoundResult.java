package io.dtx.engine;

import io.dtx.domain.GlobalStatus;

/**
 * How a round ended.
 *
 * @param status the transaction's status after the round as this instance knows it
 * @param lastError the last non-success answer of a participant in the round, if any
 * @param fenced another instance or an operator took the transaction over; nothing of the round was applied after
 *        that
 * @param storageError the round could not write its results; they will be redone after the lease expires
 */
public record RoundResult(GlobalStatus status, String rollbackReason, String lastError, boolean fenced,
        String storageError) {
}
