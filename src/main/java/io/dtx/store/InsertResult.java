package io.dtx.store;

import java.util.Optional;

/**
 * Outcome of inserting a new transaction: either it was stored (with its branch rows) or the gid already existed, in
 * which case nothing was written and the existing row is returned.
 */
public record InsertResult(Optional<LoadedTransaction> inserted, Optional<StoredTransaction> existing) {

    public static InsertResult inserted(LoadedTransaction tx) {
        return new InsertResult(Optional.of(tx), Optional.empty());
    }

    public static InsertResult conflict(StoredTransaction existing) {
        return new InsertResult(Optional.empty(), Optional.of(existing));
    }
}
