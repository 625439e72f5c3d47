package io.dtx.domain;

/** A request dtx refuses before storing anything; the message tells the client what is wrong. */
public class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message, null, false, false);
    }
}
