package io.dtx.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * DTM's two-phase message rules (§4.2). A prepared message past its timeout is checked back through its
 * {@code query_prepared} URL: SUCCESS submits it, FAILURE fails it, ONGOING waits a base interval. A submitted message
 * delivers its actions (in order, stopping at the first that does not succeed, or all at once when
 * {@code concurrent}), after the optional {@code delay}; it never rolls back, so every answer but SUCCESS is retried.
 */
public final class MsgPlanner implements Planner {

    private final long delaySeconds;

    public MsgPlanner(long delaySeconds) {
        this.delaySeconds = delaySeconds;
    }

    @Override
    public boolean failureIsTerminal(BranchState branch) {
        // FAILURE from the check-back fails the message; it is handled from the check-back's outcome below.
        return false;
    }

    @Override
    public Decision next(RoundState s, RoundClock clock) {
        return switch (s.status()) {
            case PREPARED -> checkBack(s, clock);
            case SUBMITTED -> deliver(s, clock);
            default -> new Decision.EndRound(Schedule.keep());
        };
    }

    private Decision checkBack(RoundState s, RoundClock clock) {
        BranchState check = s.checkBack();
        if (!s.timedOut(clock)) {
            return new Decision.EndRound(Schedule.afterCreate(s.effectiveTimeout()));
        }
        if (check == null) {
            // dtx refuses a prepare without query_prepared; a row without one can only wait for an operator.
            return new Decision.EndRound(Schedule.backoff());
        }
        if (check.inFlight()) {
            return Decision.WAIT;
        }
        BranchOutcome outcome = check.lastOutcome();
        if (outcome == null) {
            return clock.mayStartCalls() ? new Decision.Start(List.of(check))
                    : new Decision.EndRound(Schedule.immediate());
        }
        return switch (outcome.kind()) {
            case SUCCESS -> new Decision.Transition(GlobalStatus.SUBMITTED, null);
            case FAILURE -> new Decision.Transition(GlobalStatus.FAILED,
                    "query_prepared " + check.url() + " answered failure: " + outcome.detail());
            case ONGOING -> new Decision.EndRound(Schedule.reset());
            case ERROR -> new Decision.EndRound(Schedule.backoff());
        };
    }

    private Decision deliver(RoundState s, RoundClock clock) {
        if (delaySeconds > 0 && clock.ageSeconds() < delaySeconds) {
            return new Decision.EndRound(Schedule.afterCreate(delaySeconds));
        }
        if (clock.mayStartCalls()) {
            List<BranchState> runnable = runnableActions(s);
            if (!runnable.isEmpty()) {
                return new Decision.Start(runnable);
            }
        }
        if (s.anyInFlight()) {
            return Decision.WAIT;
        }
        for (BranchState b : s.branches()) {
            if (!b.is(BranchStatus.SUCCEED)) {
                return new Decision.EndRound(s.sawError() ? Schedule.backoff()
                        : s.sawOngoing() ? Schedule.keep() : Schedule.immediate());
            }
        }
        return new Decision.Transition(GlobalStatus.SUCCEED, null);
    }

    private List<BranchState> runnableActions(RoundState s) {
        List<BranchState> out = new ArrayList<>();
        for (BranchState b : s.branches()) {
            if (b.is(BranchStatus.SUCCEED)) {
                continue;
            }
            if (!b.startedThisRound()) {
                out.add(b);
            }
            if (!s.options().concurrent()) {
                break;
            }
        }
        return out;
    }
}
