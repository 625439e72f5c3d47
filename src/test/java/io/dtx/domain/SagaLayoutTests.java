package io.dtx.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SagaLayoutTests {

    @Test
    void acceptsOrdersWithinTheSteps() {
        assertThat(new SagaLayout(true, Map.of(1, List.of(0), 2, List.of(0, 1))).problemFor(3)).isEmpty();
    }

    @Test
    void refusesMissingStepsSelfReferencesAndCycles() {
        assertThat(new SagaLayout(true, Map.of(3, List.of(0))).problemFor(3)).get().asString()
                .contains("names step 3 but the saga has 3 steps");
        assertThat(new SagaLayout(true, Map.of(1, List.of(1))).problemFor(3)).get().asString()
                .contains("depends on itself");
        assertThat(new SagaLayout(true, Map.of(0, List.of(2), 1, List.of(0), 2, List.of(1))).problemFor(3)).get()
                .asString().contains("cycle");
    }

    @Test
    void dependentsAreTheReverseOfOrders() {
        SagaLayout l = new SagaLayout(true, Map.of(2, List.of(0, 1)));
        assertThat(l.dependentsOf(0)).containsExactly(2);
        assertThat(l.dependentsOf(2)).isEmpty();
    }
}
