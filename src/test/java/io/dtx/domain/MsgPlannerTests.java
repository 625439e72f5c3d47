package io.dtx.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MsgPlannerTests {

    private static RoundState msg(GlobalStatus status, int actions, boolean concurrent) {
        List<BranchState> branches = new ArrayList<>();
        for (int i = 0; i < actions; i++) {
            branches.add(new BranchState(i + 1, BranchOps.stepBranchId(i), BranchOps.ACTION, "a" + i, new byte[0],
                    BranchStatus.PREPARED, 0, ""));
        }
        TransactionOptions options = new TransactionOptions(false, 0, 0, 0, Map.of(), concurrent, 0);
        return new RoundState("g", TransType.MSG, status, options, branches, BranchState.checkBack("q"), 35, "", 0);
    }

    @Test
    void preparedBeforeItsTimeoutWaitsUntilCreatePlusTimeout() {
        Simulation s = new Simulation(msg(GlobalStatus.PREPARED, 1, false), new MsgPlanner(0));
        s.age = 10;
        assertThat(s.runRound(Map.of()).schedule()).isEqualTo(Schedule.afterCreate(35));
        assertThat(s.calls).isEmpty();
    }

    @Test
    void checkBackSuccessSubmitsAndDelivers() {
        Simulation s = new Simulation(msg(GlobalStatus.PREPARED, 2, false), new MsgPlanner(0));
        s.age = 36;
        s.runRound(Map.of());
        assertThat(s.calls).containsExactly("q", "a0", "a1");
        assertThat(s.transitions).extracting(Decision.Transition::to).containsExactly(GlobalStatus.SUBMITTED,
                GlobalStatus.SUCCEED);
    }

    @Test
    void checkBackFailureFailsOngoingResetsErrorBacksOff() {
        Simulation failure = new Simulation(msg(GlobalStatus.PREPARED, 1, false), new MsgPlanner(0));
        failure.age = 36;
        failure.runRound(Map.of("q", BranchOutcome.failure("gone")));
        assertThat(failure.state.status()).isEqualTo(GlobalStatus.FAILED);
        assertThat(failure.calls).containsExactly("q");

        Simulation ongoing = new Simulation(msg(GlobalStatus.PREPARED, 1, false), new MsgPlanner(0));
        ongoing.age = 36;
        assertThat(ongoing.runRound(Map.of("q", BranchOutcome.ongoing(""))).schedule()).isEqualTo(Schedule.reset());

        Simulation error = new Simulation(msg(GlobalStatus.PREPARED, 1, false), new MsgPlanner(0));
        error.age = 36;
        assertThat(error.runRound(Map.of("q", BranchOutcome.error(""))).schedule()).isEqualTo(Schedule.backoff());
    }

    @Test
    void sequentialDeliveryStopsAtTheFirstActionThatDoesNotSucceed() {
        Simulation s = new Simulation(msg(GlobalStatus.SUBMITTED, 3, false), new MsgPlanner(0));
        assertThat(s.runRound(Map.of("a1", BranchOutcome.failure("x"))).schedule()).isEqualTo(Schedule.backoff());
        assertThat(s.calls).containsExactly("a0", "a1");
        assertThat(s.state.status()).isEqualTo(GlobalStatus.SUBMITTED);
        assertThat(s.state.branches().get(1).status()).isEqualTo(BranchStatus.PREPARED);
    }

    @Test
    void concurrentDeliveryStartsAllActions() {
        Simulation s = new Simulation(msg(GlobalStatus.SUBMITTED, 3, true), new MsgPlanner(0));
        s.runRound(Map.of());
        assertThat(s.starts).containsExactly(List.of("a0", "a1", "a2"));
    }

    @Test
    void delayPostponesDelivery() {
        Simulation s = new Simulation(msg(GlobalStatus.SUBMITTED, 1, false), new MsgPlanner(20));
        s.age = 5;
        assertThat(s.runRound(Map.of()).schedule()).isEqualTo(Schedule.afterCreate(20));
        assertThat(s.calls).isEmpty();
        s.age = 21;
        s.runRound(Map.of());
        assertThat(s.calls).containsExactly("a0");
    }
}
