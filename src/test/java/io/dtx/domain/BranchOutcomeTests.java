package io.dtx.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BranchOutcomeTests {

    @ParameterizedTest(name = "HTTP {0} ''{1}'' is {2}")
    @CsvSource(delimiter = '|', value = {
            "200|{\"dtm_result\":\"SUCCESS\"}|SUCCESS",
            "200||SUCCESS",
            "425||ONGOING",
            "200|ONGOING|ONGOING",
            "409|ONGOING|ONGOING",
            "200|FAILURE and ONGOING|ONGOING",
            "409||FAILURE",
            "200|{\"dtm_result\":\"FAILURE\"}|FAILURE",
            "500|FAILURE|FAILURE",
            "201||ERROR",
            "204||ERROR",
            "301||ERROR",
            "404|not found|ERROR",
            "500|boom|ERROR",
            "503||ERROR" })
    void classifiesByDtmRulesInOrder(int status, String body, BranchOutcome.Kind expected) {
        assertThat(BranchOutcome.ofHttp(status, body).kind()).isEqualTo(expected);
    }
}
