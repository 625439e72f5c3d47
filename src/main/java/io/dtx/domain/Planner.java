package io.dtx.domain;

/** The rules of one transaction type: a function from the round's state to the next step. */
public interface Planner {

    Decision next(RoundState state, RoundClock clock);

    /** Whether a FAILURE answer ends the given op (only a saga action), instead of being retried like an error. */
    boolean failureIsTerminal(BranchState branch);
}
