package io.dtx.domain;

/** How a round that did not finish its transaction wants the next round scheduled. */
public record Schedule(Kind kind, long seconds) {

    public enum Kind {
        /** Back to the base interval (progress was made, or a check-back answered ongoing). */
        RESET,
        /** Same interval as now (a participant answered ongoing). */
        KEEP,
        /** Double the interval, up to the cap (a participant failed unexpectedly). */
        BACKOFF,
        /** Work remains that could run now (the round's time budget ran out). */
        IMMEDIATE,
        /** Nothing to do before {@code create_time + seconds} (msg delay, prepared-state timeout). */
        AFTER_CREATE
    }

    public static Schedule reset() {
        return new Schedule(Kind.RESET, 0);
    }

    public static Schedule keep() {
        return new Schedule(Kind.KEEP, 0);
    }

    public static Schedule backoff() {
        return new Schedule(Kind.BACKOFF, 0);
    }

    public static Schedule immediate() {
        return new Schedule(Kind.IMMEDIATE, 0);
    }

    public static Schedule afterCreate(long seconds) {
        return new Schedule(Kind.AFTER_CREATE, seconds);
    }
}
