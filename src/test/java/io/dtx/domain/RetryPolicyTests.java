package io.dtx.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class RetryPolicyTests {
    private final RetryPolicy policy = new RetryPolicy(10, 3600, 35);

    private static TransactionOptions opts(long retryInterval, long timeout) {
        return new TransactionOptions(false, timeout, 0, retryInterval, Map.of(), false, 0);
    }

    @Test
    void baseIntervalIsRetryIntervalElseShortTimeoutElseServerInterval() {
        assertThat(policy.baseInterval(opts(3, 0))).isEqualTo(3);
        assertThat(policy.baseInterval(opts(0, 4))).isEqualTo(4);
        assertThat(policy.baseInterval(opts(0, 40))).isEqualTo(10);
        assertThat(policy.baseInterval(TransactionOptions.DEFAULTS)).isEqualTo(10);
    }

    @Test
    void errorsDoubleUpToTheCapOngoingKeepsSuccessResets() {
        TransactionOptions o = TransactionOptions.DEFAULTS;
        assertThat(next(Schedule.backoff(), 10, false, o)).isEqualTo(new NextRun(20, 20L, null));
        assertThat(next(Schedule.backoff(), 2560, false, o)).isEqualTo(new NextRun(3600, 3600L, null));
        assertThat(next(Schedule.backoff(), 3600, false, o)).isEqualTo(new NextRun(3600, 3600L, null));
        assertThat(next(Schedule.backoff(), 640, true, o)).isEqualTo(new NextRun(20, 20L, null));
        assertThat(next(Schedule.keep(), 40, false, o)).isEqualTo(new NextRun(40, 40L, null));
        assertThat(next(Schedule.reset(), 40, false, o)).isEqualTo(new NextRun(10, 10L, null));
        assertThat(next(Schedule.immediate(), 40, false, o)).isEqualTo(new NextRun(40, 0L, null));
        assertThat(next(Schedule.afterCreate(35), 10, false, o)).isEqualTo(new NextRun(10, null, 35L));
    }

    @Test
    void aSagaThatCanTimeOutIsLookedAtWhenItDoes() {
        NextRun run = policy.next(Schedule.backoff(), 80, false, TransType.SAGA, GlobalStatus.SUBMITTED, opts(0, 60));
        assertThat(run).isEqualTo(new NextRun(160, 160L, 60L));
        NextRun aborting = policy.next(Schedule.backoff(), 80, false, TransType.SAGA, GlobalStatus.ABORTING,
                opts(0, 60));
        assertThat(aborting.atSecondsAfterCreate()).isNull();
    }

    private NextRun next(Schedule s, long current, boolean progressed, TransactionOptions o) {
        return policy.next(s, current, progressed, TransType.SAGA, GlobalStatus.SUBMITTED, o);
    }
}
