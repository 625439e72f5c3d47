package io.dtx.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The saga's {@code custom_data}: whether steps run concurrently and which steps must succeed before another may
 * start ({@code orders}: 0-based step index to its prerequisite steps). Compensations follow the reverse order.
 */
public final class SagaLayout {

    public static final SagaLayout SEQUENTIAL = new SagaLayout(false, Map.of());

    private final boolean concurrent;
    private final Map<Integer, List<Integer>> prerequisites;
    private final Map<Integer, List<Integer>> dependents;

    public SagaLayout(boolean concurrent, Map<Integer, List<Integer>> orders) {
        this.concurrent = concurrent;
        Map<Integer, List<Integer>> pre = new HashMap<>();
        Map<Integer, List<Integer>> dep = new HashMap<>();
        orders.forEach((step, before) -> {
            pre.put(step, List.copyOf(before));
            for (Integer b : before) {
                dep.computeIfAbsent(b, k -> new ArrayList<>()).add(step);
            }
        });
        this.prerequisites = Collections.unmodifiableMap(pre);
        this.dependents = Collections.unmodifiableMap(dep);
    }

    public boolean concurrent() {
        return concurrent;
    }

    public List<Integer> prerequisitesOf(int step) {
        return prerequisites.getOrDefault(step, List.of());
    }

    public List<Integer> dependentsOf(int step) {
        return dependents.getOrDefault(step, List.of());
    }

    public Map<Integer, List<Integer>> orders() {
        return prerequisites;
    }

    /**
     * Checks the orders against the number of steps. DTM accepts anything here and then never finishes a saga whose
     * orders name a missing step or form a cycle; dtx refuses such a saga up front.
     *
     * @return a message saying what is wrong, or empty when the layout is usable
     */
    public Optional<String> problemFor(int stepCount) {
        for (Map.Entry<Integer, List<Integer>> e : prerequisites.entrySet()) {
            int step = e.getKey();
            if (step < 0 || step >= stepCount) {
                return Optional.of("custom_data.orders names step " + step + " but the saga has " + stepCount
                        + " steps (indexes are 0-based)");
            }
            for (int pre : e.getValue()) {
                if (pre < 0 || pre >= stepCount) {
                    return Optional.of("custom_data.orders: step " + step + " depends on step " + pre
                            + " but the saga has " + stepCount + " steps (indexes are 0-based)");
                }
                if (pre == step) {
                    return Optional.of("custom_data.orders: step " + step + " depends on itself");
                }
            }
        }
        return findCycle(stepCount).map(c -> "custom_data.orders form a cycle through steps " + c);
    }

    private Optional<List<Integer>> findCycle(int stepCount) {
        int[] state = new int[stepCount]; // 0 new, 1 on stack, 2 done
        for (int s = 0; s < stepCount; s++) {
            List<Integer> path = new ArrayList<>();
            if (state[s] == 0 && visit(s, state, path)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    private boolean visit(int step, int[] state, List<Integer> path) {
        state[step] = 1;
        path.add(step);
        for (int pre : prerequisitesOf(step)) {
            if (state[pre] == 1) {
                path.add(pre);
                return true;
            }
            if (state[pre] == 0 && visit(pre, state, path)) {
                return true;
            }
        }
        state[step] = 2;
        path.remove(path.size() - 1);
        return false;
    }
}
