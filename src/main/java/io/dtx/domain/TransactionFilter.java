package io.dtx.domain;

import java.time.Instant;
import java.util.Optional;

/**
 * Filters of {@code /api/dtmsvr/all}: results come newest first (descending id); {@code position} is the id to
 * continue below.
 */
public record TransactionFilter(
        Optional<Long> position,
        int limit,
        Optional<String> status,
        Optional<String> transType,
        Optional<Instant> createTimeStart,
        Optional<Instant> createTimeEnd) {
}
