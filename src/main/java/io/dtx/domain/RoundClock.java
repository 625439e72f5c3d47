package io.dtx.domain;

/** What a planner needs to know about time, measured by the engine (database time at load plus elapsed time). */
public interface RoundClock {

    /** Whether new branch calls may still start in this round (round budget and lease both left). */
    boolean mayStartCalls();

    /** Seconds since the transaction was created. */
    double ageSeconds();
}
