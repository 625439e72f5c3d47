package io.dtx.conformance.javaclient.support;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Holds back held {@link Reply replies} until the test opens it. Never holds longer than {@link #MAX_HOLD}. */
public final class Gate {

    public static final Duration MAX_HOLD = Duration.ofSeconds(20);

    private final CountDownLatch latch = new CountDownLatch(1);

    public void open() {
        latch.countDown();
    }

    public boolean isOpen() {
        return latch.getCount() == 0;
    }

    void await() throws InterruptedException {
        latch.await(MAX_HOLD.toMillis(), TimeUnit.MILLISECONDS);
    }
}
