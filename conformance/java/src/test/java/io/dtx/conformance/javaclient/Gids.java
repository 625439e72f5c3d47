package io.dtx.conformance.javaclient;

import java.util.UUID;

/** Unique global transaction ids for tests that choose their own gid. */
final class Gids {

    private Gids() {
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
