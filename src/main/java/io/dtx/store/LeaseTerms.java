package io.dtx.store;

/**
 * How long a claim lasts: {@code extraSeconds + 2 × request timeout}, the request timeout being the transaction's own
 * or {@code defaultRequestTimeoutSeconds}. The engine sizes its round budget from the same numbers, so a round ends
 * before its lease does.
 */
public record LeaseTerms(String owner, double extraSeconds, int defaultRequestTimeoutSeconds) {

    public double leaseSeconds(int requestTimeoutSeconds) {
        int rt = requestTimeoutSeconds > 0 ? requestTimeoutSeconds : defaultRequestTimeoutSeconds;
        return extraSeconds + 2.0 * rt;
    }
}
