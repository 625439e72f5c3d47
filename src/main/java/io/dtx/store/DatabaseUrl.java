package io.dtx.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A PostgreSQL location given in any of the usual spellings ({@code postgresql://user:pw@host:5432/db},
 * {@code postgres://…}, {@code jdbc:postgresql://host/db}, {@code vertx-reactive:postgresql://…}), turned into the two
 * URLs Quarkus needs: JDBC for the migrations at start-up and the reactive one for everything else.
 */
public record DatabaseUrl(String jdbcUrl, String reactiveUrl, Optional<String> user, Optional<String> password) {

    public static DatabaseUrl parse(String url) {
        String raw = url.trim();
        String rest;
        if (raw.startsWith("jdbc:postgresql://")) {
            rest = raw.substring("jdbc:postgresql://".length());
        } else if (raw.startsWith("vertx-reactive:postgresql://")) {
            rest = raw.substring("vertx-reactive:postgresql://".length());
        } else if (raw.startsWith("postgresql://")) {
            rest = raw.substring("postgresql://".length());
        } else if (raw.startsWith("postgres://")) {
            rest = raw.substring("postgres://".length());
        } else {
            throw new IllegalArgumentException("database URL '" + raw
                    + "' is not a PostgreSQL URL (expected postgresql://host:port/db or jdbc:postgresql://host:port/db)");
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        int at = rest.lastIndexOf('@', firstOf(rest, '/', '?'));
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            user = Optional.of(decode(colon >= 0 ? info.substring(0, colon) : info)).filter(s -> !s.isEmpty());
            if (colon >= 0) {
                password = Optional.of(decode(info.substring(colon + 1)));
            }
        }
        URI check = URI.create("postgresql://" + rest);
        if (check.getHost() == null || check.getHost().isEmpty()) {
            throw new IllegalArgumentException("database URL '" + raw + "' has no host");
        }
        return new DatabaseUrl("jdbc:postgresql://" + rest, "postgresql://" + rest, user, password);
    }

    private static int firstOf(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        if (i < 0) {
            return j < 0 ? s.length() : j;
        }
        return j < 0 ? i : Math.min(i, j);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
