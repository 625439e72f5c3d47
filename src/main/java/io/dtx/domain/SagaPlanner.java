package io.dtx.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * DTM's saga rules (§4.1). Branches come in DTM's order: for step {@code i}, the compensation at {@code 2i} and the
 * action at {@code 2i+1}. Forward: actions run in step order (or as soon as their prerequisites succeeded when
 * concurrent); a FAILURE answer, the timeout or the retry limit turns the saga to {@code aborting}. Backward: every
 * step whose action ran or was attempted is compensated, in reverse order, the failed step included.
 */
public final class SagaPlanner implements Planner {

    private final SagaLayout layout;

    public SagaPlanner(SagaLayout layout) {
        this.layout = layout;
    }

    @Override
    public boolean failureIsTerminal(BranchState branch) {
        return BranchOps.ACTION.equals(branch.op());
    }

    @Override
    public Decision next(RoundState s, RoundClock clock) {
        return switch (s.status()) {
            case SUBMITTED -> forward(s, clock);
            case ABORTING -> backward(s, clock);
            default -> new Decision.EndRound(Schedule.keep());
        };
    }

    private Decision forward(RoundState s, RoundClock clock) {
        String abortReason = abortReason(s, clock);
        if (abortReason != null) {
            return s.anyInFlight() ? Decision.WAIT : new Decision.Transition(GlobalStatus.ABORTING, abortReason);
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
        if (allActionsSucceeded(s)) {
            return new Decision.Transition(GlobalStatus.SUCCEED, null);
        }
        return new Decision.EndRound(scheduleAfter(s));
    }

    private String abortReason(RoundState s, RoundClock clock) {
        int steps = stepCount(s);
        for (int i = 0; i < steps; i++) {
            BranchState action = action(s, i);
            if (action.is(BranchStatus.FAILED)) {
                String detail = action.lastError().isEmpty() ? "fail message lost" : action.lastError();
                return "url:" + action.url() + " return failed: " + detail;
            }
        }
        if (s.timedOut(clock)) {
            return "Timeout after " + s.effectiveTimeout() + " seconds";
        }
        long limit = s.options().retryLimit();
        if (limit > 0 && s.retryCount() > limit) {
            return "RetryCount is greater than RetryLimit, RetryLimit: " + limit;
        }
        return null;
    }

    private List<BranchState> runnableActions(RoundState s) {
        List<BranchState> out = new ArrayList<>();
        int steps = stepCount(s);
        for (int i = 0; i < steps; i++) {
            BranchState action = action(s, i);
            if (!action.is(BranchStatus.PREPARED) || action.startedThisRound()) {
                continue;
            }
            if (!layout.concurrent() && i > 0 && !action(s, i - 1).is(BranchStatus.SUCCEED)) {
                continue;
            }
            if (prerequisitesSucceeded(s, i)) {
                out.add(action);
            }
        }
        return out;
    }

    private boolean prerequisitesSucceeded(RoundState s, int step) {
        for (int pre : layout.prerequisitesOf(step)) {
            if (!action(s, pre).is(BranchStatus.SUCCEED)) {
                return false;
            }
        }
        return true;
    }

    private boolean allActionsSucceeded(RoundState s) {
        int steps = stepCount(s);
        for (int i = 0; i < steps; i++) {
            if (!action(s, i).is(BranchStatus.SUCCEED)) {
                return false;
            }
        }
        return true;
    }

    private Decision backward(RoundState s, RoundClock clock) {
        if (clock.mayStartCalls()) {
            List<BranchState> runnable = runnableCompensations(s);
            if (!runnable.isEmpty()) {
                return new Decision.Start(runnable);
            }
        }
        if (s.anyInFlight()) {
            return Decision.WAIT;
        }
        int steps = stepCount(s);
        for (int i = 0; i < steps; i++) {
            if (needsCompensation(s, i) && !compensation(s, i).is(BranchStatus.SUCCEED)) {
                return new Decision.EndRound(scheduleAfter(s));
            }
        }
        return new Decision.Transition(GlobalStatus.FAILED, null);
    }

    private List<BranchState> runnableCompensations(RoundState s) {
        List<BranchState> out = new ArrayList<>();
        int steps = stepCount(s);
        for (int i = steps - 1; i >= 0; i--) {
            BranchState comp = compensation(s, i);
            if (!needsCompensation(s, i) || !comp.is(BranchStatus.PREPARED) || comp.startedThisRound()) {
                continue;
            }
            if (!layout.concurrent() && i + 1 < steps && !compensated(s, i + 1)) {
                continue;
            }
            boolean dependentsDone = true;
            for (int next : layout.dependentsOf(i)) {
                if (!compensated(s, next)) {
                    dependentsDone = false;
                    break;
                }
            }
            if (dependentsDone) {
                out.add(comp);
            }
        }
        return out;
    }

    /**
     * A step is compensated when its action succeeded or failed, or was attempted at all: an action that timed out or
     * answered an error may have done its work, and a participant must tolerate a compensation without an action.
     */
    private static boolean needsCompensation(RoundState s, int step) {
        BranchState action = action(s, step);
        return !action.is(BranchStatus.PREPARED) || action.attempts() > 0;
    }

    private static boolean compensated(RoundState s, int step) {
        return !needsCompensation(s, step) || compensation(s, step).is(BranchStatus.SUCCEED);
    }

    private static Schedule scheduleAfter(RoundState s) {
        if (s.sawError()) {
            return Schedule.backoff();
        }
        if (s.sawOngoing()) {
            return Schedule.keep();
        }
        return Schedule.immediate();
    }

    private static int stepCount(RoundState s) {
        return s.branches().size() / 2;
    }

    private static BranchState action(RoundState s, int step) {
        return s.branches().get(2 * step + 1);
    }

    private static BranchState compensation(RoundState s, int step) {
        return s.branches().get(2 * step);
    }
}
