package io.dtx.engine;

/**
 * The answer to a coordinator call, in DTM's vocabulary: success, a logical failure (409), ongoing (425) or an
 * unknown transaction (404). Bad input never reaches the engine.
 */
public record Reply(Kind kind, String message) {

    public enum Kind {
        SUCCESS,
        FAILURE,
        ONGOING,
        NOT_FOUND,
        ERROR
    }

    private static final Reply SUCCESS = new Reply(Kind.SUCCESS, "");

    public static Reply success() {
        return SUCCESS;
    }

    public static Reply failure(String message) {
        return new Reply(Kind.FAILURE, message);
    }

    public static Reply ongoing(String message) {
        return new Reply(Kind.ONGOING, message);
    }

    public static Reply notFound(String gid) {
        return new Reply(Kind.NOT_FOUND, "no transaction with gid '" + gid + "'");
    }

    public static Reply error(String message) {
        return new Reply(Kind.ERROR, message);
    }
}
