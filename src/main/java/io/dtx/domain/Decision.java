package io.dtx.domain;

import java.util.List;

/** What a planner wants to happen next in a round. */
public sealed interface Decision permits Decision.Start, Decision.Wait, Decision.Transition, Decision.EndRound {

    /** Call these branches now. */
    record Start(List<BranchState> branches) implements Decision {
    }

    /** Calls are in flight and nothing else may start: wait for an answer. */
    record Wait() implements Decision {
    }

    /** Change the global status (durably, with the branch results so far), then ask again. */
    record Transition(GlobalStatus to, String reason) implements Decision {
    }

    /** Nothing more to do in this round: record the results and schedule the next round. */
    record EndRound(Schedule schedule) implements Decision {
    }

    Wait WAIT = new Wait();
}
