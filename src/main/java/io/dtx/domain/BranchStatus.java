package io.dtx.domain;

/** Status of one branch operation row. */
public enum BranchStatus {
    PREPARED("prepared"),
    SUCCEED("succeed"),
    FAILED("failed");

    private final String wire;

    BranchStatus(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static BranchStatus of(String value) {
        for (BranchStatus s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown branch status '" + value + "'");
    }

    @Override
    public String toString() {
        return wire;
    }
}
