package io.dtx.engine;

/** Fired when an operator made transactions due at once (resetCronTime, resetNextCronTime). */
public record DueNow() {
}
