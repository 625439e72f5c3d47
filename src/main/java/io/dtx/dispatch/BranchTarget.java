package io.dtx.dispatch;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A branch URL taken apart once: where to connect and the request target with the URL's own query parameters, to
 * which each call appends DTM's {@code gid}, {@code trans_type}, {@code branch_id} and {@code op} (replacing any of
 * the same name in the URL). Parsed targets are kept, since a service's branch URLs repeat for every transaction.
 */
public record BranchTarget(String host, int port, boolean https, String targetPrefix) {

    /** Reasons of the {@link URISyntaxException} for URLs that parse but cannot be called. */
    public static final String NOT_HTTP = "not an http or https URL";
    public static final String NO_HOST = "no host";

    private static final Set<String> DTM_PARAMS = Set.of("gid", "trans_type", "branch_id", "op");
    private static final int CACHE_LIMIT = 10_000;
    private static final Map<String, BranchTarget> CACHE = new ConcurrentHashMap<>();

    public static BranchTarget of(String url) throws URISyntaxException {
        BranchTarget cached = CACHE.get(url);
        if (cached != null) {
            return cached;
        }
        BranchTarget parsed = parse(url);
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear();
        }
        CACHE.put(url, parsed);
        return parsed;
    }

    private static BranchTarget parse(String url) throws URISyntaxException {
        String u = url;
        int hash = u.indexOf('#');
        if (hash >= 0) {
            u = u.substring(0, hash);
        }
        int q = u.indexOf('?');
        URI base = new URI(q < 0 ? u : u.substring(0, q));
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new URISyntaxException(url, NOT_HTTP);
        }
        String host = OutboundGuard.hostOf(base);
        if (host == null || host.isEmpty()) {
            throw new URISyntaxException(url, NO_HOST);
        }
        boolean https = scheme.equals("https");
        int port = base.getPort() > 0 ? base.getPort() : https ? 443 : 80;
        StringBuilder target = new StringBuilder(
                base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath()).append('?');
        if (q >= 0) {
            String query = u.substring(q + 1);
            new URI("http://h/?" + query); // the query must be well-formed too
            for (String pair : query.split("&")) {
                String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                if (!pair.isEmpty() && !DTM_PARAMS.contains(name)) {
                    target.append(pair).append('&');
                }
            }
        }
        return new BranchTarget(host, port, https, target.toString());
    }

    /** The request target of one call: path, the URL's own query, then DTM's four parameters. */
    public String requestTarget(String gid, String transType, String branchId, String op) {
        return targetPrefix + "gid=" + encode(gid) + "&trans_type=" + encode(transType) + "&branch_id="
                + encode(branchId) + "&op=" + encode(op);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
