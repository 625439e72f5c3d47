package io.dtx.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class OutboundGuardTests {

    private static InetAddress ip(String s) {
        return OutboundGuard.literal(s);
    }

    @Test
    void linkLocalAndMetadataAddressesAreAlwaysRefused() {
        OutboundGuard open = new OutboundGuard(List.of());
        assertThat(open.refusal("metadata", ip("169.254.169.254"))).isPresent();
        assertThat(open.refusal("x", ip("fe80::1"))).isPresent();
        assertThat(open.refusal("x", ip("fd00:ec2::254"))).isPresent();
        assertThat(open.refusal("x", ip("::ffff:169.254.1.1"))).isPresent();
        assertThat(open.refusal("svc", ip("10.1.2.3"))).isEmpty();
        assertThat(open.refusal("localhost", ip("127.0.0.1"))).isEmpty();
    }

    @Test
    void anAllowListAdmitsOnlyItsHostsAndBlocks() {
        OutboundGuard guard = new OutboundGuard(List.of("10.0.0.0/8", "payments.internal", "*.svc.cluster.local"));
        assertThat(guard.refusal("a", ip("10.9.8.7"))).isEmpty();
        assertThat(guard.refusal("payments.internal", ip("192.168.1.1"))).isEmpty();
        assertThat(guard.refusal("orders.shop.svc.cluster.local", ip("172.16.0.1"))).isEmpty();
        assertThat(guard.refusal("other", ip("192.168.1.1"))).get().asString().contains("not in dtx.outbound.allow");
        assertThat(guard.refusal("a", ip("169.254.1.1"))).isPresent();
    }

    @Test
    void dtmQueryParametersAreAddedOrReplaced() throws Exception {
        BranchTarget t = BranchTarget.of("http://h:8080/api/TransOut?x=1&gid=old#frag");
        assertThat(t.host()).isEqualTo("h");
        assertThat(t.port()).isEqualTo(8080);
        assertThat(t.requestTarget("g 1", "saga", "01", "action"))
                .isEqualTo("/api/TransOut?x=1&gid=g+1&trans_type=saga&branch_id=01&op=action");
        BranchTarget bare = BranchTarget.of("https://h");
        assertThat(bare.port()).isEqualTo(443);
        assertThat(bare.https()).isTrue();
        assertThat(bare.requestTarget("g", "msg", "00", "msg")).isEqualTo("/?gid=g&trans_type=msg&branch_id=00&op=msg");
    }
}
