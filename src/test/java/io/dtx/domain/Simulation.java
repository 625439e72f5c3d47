package io.dtx.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Drives a planner the way the engine does, without I/O: started branches are answered by an oracle (all of a
 * Start at once, in order), transitions are applied, and the calls are recorded.
 */
final class Simulation implements RoundClock {
    final RoundState state;
    final Planner planner;
    final List<String> calls = new ArrayList<>();
    final List<List<String>> starts = new ArrayList<>();
    final List<Decision.Transition> transitions = new ArrayList<>();
    boolean mayStart = true;
    double age;

    Simulation(RoundState state, Planner planner) {
        this.state = state;
        this.planner = planner;
    }

    /** A saga of {@code steps} steps, urls a{i} / c{i}, all branches prepared. */
    static RoundState saga(int steps, TransactionOptions options, long timeout) {
        List<BranchState> branches = new ArrayList<>();
        long id = 1;
        for (int i = 0; i < steps; i++) {
            branches.add(new BranchState(id++, BranchOps.stepBranchId(i), BranchOps.COMPENSATE, "c" + i, new byte[0],
                    BranchStatus.PREPARED, 0, ""));
            branches.add(new BranchState(id++, BranchOps.stepBranchId(i), BranchOps.ACTION, "a" + i, new byte[0],
                    BranchStatus.PREPARED, 0, ""));
        }
        return new RoundState("g", TransType.SAGA, GlobalStatus.SUBMITTED, options, branches, null, timeout, "", 0);
    }

    /** Runs until the round ends; answers come from {@code oracle} by URL (default SUCCESS). */
    Decision.EndRound runRound(Map<String, BranchOutcome> answers) {
        return runRound(url -> answers.getOrDefault(url, BranchOutcome.success()));
    }

    Decision.EndRound runRound(Function<String, BranchOutcome> oracle) {
        for (int guard = 0; guard < 1000; guard++) {
            Decision d = planner.next(state, this);
            if (d instanceof Decision.Start s) {
                List<String> urls = new ArrayList<>();
                for (BranchState b : s.branches()) {
                    state.start(b);
                    urls.add(b.url());
                    calls.add(b.url());
                }
                starts.add(urls);
                for (BranchState b : s.branches()) {
                    state.complete(b, oracle.apply(b.url()), true, planner.failureIsTerminal(b));
                }
            } else if (d instanceof Decision.Transition t) {
                transitions.add(t);
                state.moveTo(t.to(), t.reason());
                if (t.to().isFinished()) {
                    return null;
                }
            } else if (d instanceof Decision.EndRound e) {
                return e;
            } else {
                throw new AssertionError("planner waits with nothing in flight");
            }
        }
        throw new AssertionError("planner does not terminate");
    }

    List<String> statuses() {
        return state.branches().stream().map(b -> b.status().wire()).toList();
    }

    @Override
    public boolean mayStartCalls() {
        return mayStart;
    }

    @Override
    public double ageSeconds() {
        return age;
    }
}
