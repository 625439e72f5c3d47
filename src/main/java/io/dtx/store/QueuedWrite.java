package io.dtx.store;

/** One item of the store's write queue: a new transaction, a round's results or a claim, each of one gid. */
interface QueuedWrite {
    String gid();
}
