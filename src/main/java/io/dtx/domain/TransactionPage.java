package io.dtx.domain;

import java.util.List;

/** One page of {@code all}; {@code nextPosition} is empty on the last page. */
public record TransactionPage(List<TransactionView> transactions, String nextPosition) {
}
