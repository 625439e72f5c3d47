package io.dtx.domain;

import java.util.Optional;

/** Status of a global transaction, with DTM's wire names. */
public enum GlobalStatus {
    PREPARED("prepared"),
    SUBMITTED("submitted"),
    ABORTING("aborting"),
    SUCCEED("succeed"),
    FAILED("failed");

    private final String wire;

    GlobalStatus(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public boolean isFinished() {
        return this == SUCCEED || this == FAILED;
    }

    public static Optional<GlobalStatus> fromWire(String value) {
        for (GlobalStatus s : values()) {
            if (s.wire.equals(value)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public static GlobalStatus of(String value) {
        return fromWire(value).orElseThrow(() -> new IllegalArgumentException("unknown global status '" + value + "'"));
    }

    @Override
    public String toString() {
        return wire;
    }
}
