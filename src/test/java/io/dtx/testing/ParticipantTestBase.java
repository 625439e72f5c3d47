package io.dtx.testing;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class with one real participant server for all its tests; calls held by a test are released after it, so
 * no round outlives the test that started it.
 */
public abstract class ParticipantTestBase {
    protected static final Duration WAIT = Duration.ofSeconds(10);
    protected static Participant p;

    @BeforeAll
    static void startParticipant() {
        p = Participant.start();
    }

    @AfterAll
    static void stopParticipant() {
        p.close();
    }

    @AfterEach
    void releaseHeldCalls() {
        p.release();
    }

    /** A gid unique to this run. */
    protected static String gid(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Waits until the round working on {@code gid} has ended (its lease was released). */
    public static void awaitRoundEnded(String gid) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            if ("".equals(Db.string("SELECT owner FROM trans_global WHERE gid = ?", gid))) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("round of " + gid + " did not end");
    }
}
