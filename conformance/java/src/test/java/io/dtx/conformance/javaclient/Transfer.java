package io.dtx.conformance.javaclient;

/** The business payload handed to {@code Saga.add(...)}; the client serialises it to JSON itself. */
public final class Transfer {

    private final String user;
    private final int amount;

    public Transfer(String user, int amount) {
        this.user = user;
        this.amount = amount;
    }

    public String getUser() {
        return user;
    }

    public int getAmount() {
        return amount;
    }
}
