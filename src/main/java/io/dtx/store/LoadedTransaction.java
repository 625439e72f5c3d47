package io.dtx.store;

import java.util.List;

/** A transaction this instance holds the lease of, with its branches in insertion (DTM) order. */
public record LoadedTransaction(StoredTransaction transaction, List<StoredBranch> branches) {
}
