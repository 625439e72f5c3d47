package io.dtx.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SagaPlannerTests {
    private static final BranchOutcome FAIL = BranchOutcome.failure("no");
    private static final BranchOutcome ERR = BranchOutcome.error("boom");
    private static final BranchOutcome ONGOING = BranchOutcome.ongoing("later");

    private static Simulation sequential(int steps) {
        return new Simulation(Simulation.saga(steps, TransactionOptions.DEFAULTS, 0),
                new SagaPlanner(SagaLayout.SEQUENTIAL));
    }

    private static Simulation concurrent(int steps, Map<Integer, List<Integer>> orders) {
        return new Simulation(Simulation.saga(steps, TransactionOptions.DEFAULTS, 0),
                new SagaPlanner(new SagaLayout(true, orders)));
    }

    @Test
    void sequentialSuccessCallsActionsOneAtATimeInOrder() {
        Simulation s = sequential(3);
        assertThat(s.runRound(Map.of())).isNull();
        assertThat(s.starts).containsExactly(List.of("a0"), List.of("a1"), List.of("a2"));
        assertThat(s.state.status()).isEqualTo(GlobalStatus.SUCCEED);
        assertThat(s.statuses()).containsExactly("prepared", "succeed", "prepared", "succeed", "prepared", "succeed");
    }

    @Test
    void failureAbortsAndCompensatesInReverseIncludingTheFailedStep() {
        Simulation s = sequential(3);
        s.runRound(Map.of("a1", FAIL));
        assertThat(s.calls).containsExactly("a0", "a1", "c1", "c0");
        assertThat(s.transitions).extracting(Decision.Transition::to).containsExactly(GlobalStatus.ABORTING,
                GlobalStatus.FAILED);
        assertThat(s.transitions.get(0).reason()).isEqualTo("url:a1 return failed: no");
        assertThat(s.statuses()).containsExactly("succeed", "succeed", "succeed", "failed", "prepared", "prepared");
    }

    @Test
    void concurrentStartsIndependentActionsTogether() {
        Simulation s = concurrent(3, Map.of());
        s.runRound(Map.of());
        assertThat(s.starts).containsExactly(List.of("a0", "a1", "a2"));
    }

    @Test
    void concurrentHonoursOrdersForward() {
        Simulation s = concurrent(4, Map.of(2, List.of(0, 1), 3, List.of(2)));
        s.runRound(Map.of());
        assertThat(s.starts).containsExactly(List.of("a0", "a1"), List.of("a2"), List.of("a3"));
    }

    @Test
    void concurrentCompensatesDependentsBeforeTheirPrerequisites() {
        Simulation s = concurrent(4, Map.of(2, List.of(0, 1), 3, List.of(2)));
        s.runRound(Map.of("a3", FAIL));
        assertThat(s.starts).containsExactly(List.of("a0", "a1"), List.of("a2"), List.of("a3"), List.of("c3"),
                List.of("c2"), List.of("c1", "c0"));
    }

    @Test
    void inFlightActionsFinishBeforeTheSagaTurnsToAborting() {
        Simulation s = concurrent(2, Map.of());
        Decision first = s.planner.next(s.state, s);
        assertThat(first).isInstanceOf(Decision.Start.class);
        BranchState a0 = s.state.branches().get(1);
        BranchState a1 = s.state.branches().get(3);
        s.state.start(a0);
        s.state.start(a1);
        s.state.complete(a0, FAIL, true, true);
        assertThat(s.planner.next(s.state, s)).isInstanceOf(Decision.Wait.class);
        s.state.complete(a1, ERR, true, true);
        Decision next = s.planner.next(s.state, s);
        assertThat(next).isInstanceOf(Decision.Transition.class);
        s.state.moveTo(GlobalStatus.ABORTING, "x");
        // the errored action may have done its work: both steps are compensated
        Decision comps = s.planner.next(s.state, s);
        assertThat(((Decision.Start) comps).branches()).extracting(BranchState::url).containsExactly("c1", "c0");
    }

    @Test
    void errorEndsTheRoundWithBackoffAndOngoingKeepsTheInterval() {
        Simulation err = sequential(2);
        assertThat(err.runRound(Map.of("a1", ERR)).schedule()).isEqualTo(Schedule.backoff());
        assertThat(err.state.status()).isEqualTo(GlobalStatus.SUBMITTED);
        assertThat(err.calls).containsExactly("a0", "a1");

        Simulation ongoing = sequential(2);
        assertThat(ongoing.runRound(Map.of("a0", ONGOING)).schedule()).isEqualTo(Schedule.keep());
        assertThat(ongoing.calls).containsExactly("a0");
    }

    @Test
    void aRoundOutOfTimeEndsWithWorkDueAtOnce() {
        Simulation s = sequential(2);
        s.mayStart = false;
        assertThat(s.runRound(Map.of()).schedule()).isEqualTo(Schedule.immediate());
        assertThat(s.calls).isEmpty();
    }

    @Test
    void timeoutAbortsAndCompensatesOnlyAttemptedSteps() {
        Simulation s = new Simulation(Simulation.saga(3, TransactionOptions.DEFAULTS, 5),
                new SagaPlanner(SagaLayout.SEQUENTIAL));
        s.runRound(Map.of("a1", ONGOING));
        s.age = 6;
        s.state.markSaved();
        Simulation next = new Simulation(s.state, s.planner);
        next.age = 6;
        next.runRound(Map.of());
        assertThat(next.transitions.get(0).reason()).isEqualTo("Timeout after 5 seconds");
        assertThat(next.calls).containsExactly("c1", "c0");
    }

    @Test
    void attemptsFromEarlierRoundsStillRequireCompensation() {
        RoundState state = Simulation.saga(2, TransactionOptions.DEFAULTS, 0);
        List<BranchState> b = state.branches();
        RoundState stored = new RoundState("g", TransType.SAGA, GlobalStatus.ABORTING, TransactionOptions.DEFAULTS,
                List.of(b.get(0), new BranchState(2, "01", "action", "a0", new byte[0], BranchStatus.SUCCEED, 1, ""),
                        b.get(2), new BranchState(4, "02", "action", "a1", new byte[0], BranchStatus.PREPARED, 2, "x")),
                null, 0, "reason", 2);
        Simulation s = new Simulation(stored, new SagaPlanner(SagaLayout.SEQUENTIAL));
        s.runRound(Map.of());
        assertThat(s.calls).containsExactly("c1", "c0");
        assertThat(s.state.status()).isEqualTo(GlobalStatus.FAILED);
    }

    @Test
    void retryLimitCountsFailedActionAttemptsAndAbortsWhenExceeded() {
        TransactionOptions limited = new TransactionOptions(false, 0, 0, 0, Map.of(), false, 1);
        Simulation s = new Simulation(Simulation.saga(1, limited, 0), new SagaPlanner(SagaLayout.SEQUENTIAL));
        s.runRound(Map.of("a0", ONGOING));
        assertThat(s.state.retryCount()).isEqualTo(1);
        assertThat(s.state.status()).isEqualTo(GlobalStatus.SUBMITTED);

        Simulation second = new Simulation(new RoundState("g", TransType.SAGA, GlobalStatus.SUBMITTED, limited,
                Simulation.saga(1, limited, 0).branches(), null, 0, "", 1), s.planner);
        second.runRound(Map.of("a0", ERR));
        assertThat(second.transitions.get(0).reason())
                .isEqualTo("RetryCount is greater than RetryLimit, RetryLimit: 1");
        assertThat(second.state.status()).isEqualTo(GlobalStatus.FAILED);
        assertThat(second.calls).containsExactly("a0", "c0");
    }

    @Test
    void compensationFailureIsRetriedNotTerminal() {
        Simulation s = sequential(1);
        s.runRound(Map.of("a0", FAIL, "c0", FAIL));
        assertThat(s.state.status()).isEqualTo(GlobalStatus.ABORTING);
        assertThat(s.statuses()).containsExactly("prepared", "failed");
    }

    @Test
    void emptySagaSucceedsAtOnce() {
        Simulation s = sequential(0);
        s.runRound(Map.of());
        assertThat(s.state.status()).isEqualTo(GlobalStatus.SUCCEED);
    }
}
