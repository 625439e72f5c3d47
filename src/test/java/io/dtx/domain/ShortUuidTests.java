package io.dtx.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ShortUuidTests {

    @Test
    void gidsAre22Base57CharactersAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String g = ShortUuid.next();
            assertThat(g).matches("[2-9A-HJ-NP-Za-km-z]{22}");
            seen.add(g);
        }
        assertThat(seen).hasSize(10_000);
    }
}
