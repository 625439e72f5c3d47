package io.dtx.domain;

import java.math.BigInteger;
import java.security.SecureRandom;

/** Global ids in the shape DTM's {@code newGid} returns: a random UUID written in base 57, 22 characters. */
public final class ShortUuid {
    private static final char[] ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
    private static final BigInteger BASE = BigInteger.valueOf(ALPHABET.length);
    private static final int LENGTH = 22;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ShortUuid() {
    }

    public static String next() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40); // version 4
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80); // IETF variant
        return encode(new BigInteger(1, bytes));
    }

    private static String encode(BigInteger value) {
        char[] out = new char[LENGTH];
        BigInteger v = value;
        for (int i = LENGTH - 1; i >= 0; i--) {
            BigInteger[] qr = v.divideAndRemainder(BASE);
            out[i] = ALPHABET[qr[1].intValue()];
            v = qr[0];
        }
        return new String(out);
    }
}
