package io.dtx.domain;

import java.util.Optional;

/** The transaction patterns of the DTM protocol, with their wire names. */
public enum TransType {
    SAGA("saga"),
    MSG("msg"),
    TCC("tcc"),
    XA("xa"),
    WORKFLOW("workflow");

    private final String wire;

    TransType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<TransType> fromWire(String value) {
        for (TransType t : values()) {
            if (t.wire.equals(value)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * DTM applies the server-wide timeout to every type but saga; a saga without its own timeout never times out.
     */
    public boolean usesDefaultTimeout() {
        return this != SAGA;
    }

    @Override
    public String toString() {
        return wire;
    }
}
