package io.dtx.domain;

/**
 * When the next round is due, as the database will compute it: {@code next_cron_interval = intervalSeconds} and
 * {@code next_cron_time = least(now() + delaySeconds, create_time + atSecondsAfterCreate)}, where a missing term is
 * left out.
 */
public record NextRun(long intervalSeconds, Long delaySeconds, Long atSecondsAfterCreate) {
}
