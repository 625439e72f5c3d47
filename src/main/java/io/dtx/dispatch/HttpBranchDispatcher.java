package io.dtx.dispatch;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.dtx.config.DtxConfig;
import io.dtx.domain.BranchOutcome;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.impl.VertxInternal;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * Non-blocking HTTP branch calls with DTM's request shape and result rules. The participant's host is resolved first
 * and the resolved address is checked by the {@link OutboundGuard} and then connected to, so a name cannot be
 * re-pointed between the check and the call. Redirects are not followed; hop-by-hop and {@code Host} headers from
 * {@code branch_headers} are dropped. Each attempt is bounded by the call's timeout; a connection the participant
 * closed before answering (a stale keep-alive connection) is retried once at once. Everything longer is the durable
 * retry of the recovery loop.
 */
@ApplicationScoped
public class HttpBranchDispatcher implements BranchDispatcher {

    private static final Set<String> DROPPED_HEADERS = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade",
            "host", "content-length");

    private static final Set<String> DTM_PARAMS = Set.of("gid", "trans_type", "branch_id", "op");

    private final Vertx vertx;
    private final WebClient client;
    private final OutboundGuard guard;

    public HttpBranchDispatcher(Vertx vertx, DtxConfig config) {
        this.vertx = vertx;
        this.guard = new OutboundGuard(config.outbound().allow().orElse(List.of()));
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setFollowRedirects(false)
                .setKeepAlive(true)
                .setKeepAliveTimeout(30)
                .setMaxPoolSize(config.outbound().maxConnectionsPerHost())
                .setTryUseCompression(false)
                .setUserAgent("dtx")
                .setConnectTimeout((int) config.requestTimeout().toMillis()));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    public OutboundGuard guard() {
        return guard;
    }

    @Override
    public Uni<BranchOutcome> call(BranchCall call) {
        URI uri;
        try {
            uri = withDtmQuery(call);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Uni.createFrom().item(BranchOutcome.error("malformed URL " + call.url() + ": " + e.getMessage()));
        }
        String host = OutboundGuard.hostOf(uri);
        if (host == null || host.isEmpty()) {
            return Uni.createFrom().item(BranchOutcome.error("URL " + call.url() + " has no host"));
        }
        return resolve(host)
                .onItem().transformToUni(address -> guardedSend(call, uri, host, address))
                .onFailure().recoverWithItem(t -> BranchOutcome.error(describe(t, call)));
    }

    private Uni<BranchOutcome> guardedSend(BranchCall call, URI uri, String host, InetAddress address) {
        Optional<String> refused = guard.refusal(host, address);
        if (refused.isPresent()) {
            Log.warnf("gid %s branch %s %s: refused: %s", call.gid(), call.branchId(), call.op(), refused.get());
            return Uni.createFrom().item(BranchOutcome.error("refused: " + refused.get()));
        }
        return send(call, uri, host, address);
    }

    private Uni<BranchOutcome> send(BranchCall call, URI uri, String host, InetAddress address) {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        long timeoutMs = call.timeout().toMillis();
        HttpRequest<Buffer> request = client
                .request(HttpMethod.valueOf(call.method()),
                        SocketAddress.inetSocketAddress(port, address.getHostAddress()), port, host, target)
                .ssl(https)
                .followRedirects(false)
                .timeout(timeoutMs)
                .putHeader("Content-Type", "application/json");
        for (Map.Entry<String, String> h : call.headers().entrySet()) {
            if (!DROPPED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                request.putHeader(h.getKey(), h.getValue());
            }
        }
        Uni<HttpResponse<Buffer>> exchange = "GET".equals(call.method()) ? request.send()
                : request.sendBuffer(Buffer.buffer(call.body()));
        return exchange
                .ifNoItem().after(call.timeout()).failWith(() -> new TimeoutException())
                .onFailure(HttpClosedException.class).retry().atMost(1)
                .map(response -> BranchOutcome.ofHttp(response.statusCode(), response.bodyAsString()));
    }

    private Uni<InetAddress> resolve(String host) {
        if (OutboundGuard.isIpLiteral(host)) {
            return Uni.createFrom().item(OutboundGuard.literal(host));
        }
        VertxInternal internal = (VertxInternal) vertx.getDelegate();
        return Uni.createFrom().emitter(emitter -> internal.resolveAddress(host, ar -> {
            if (ar.succeeded()) {
                emitter.complete(ar.result());
            } else {
                emitter.fail(ar.cause());
            }
        }));
    }

    /** The registered URL with DTM's four query parameters set (replacing any of the same name). */
    static URI withDtmQuery(BranchCall call) throws URISyntaxException {
        String url = call.url();
        int hash = url.indexOf('#');
        if (hash >= 0) {
            url = url.substring(0, hash);
        }
        int q = url.indexOf('?');
        String head = q < 0 ? url : url.substring(0, q);
        StringBuilder query = new StringBuilder();
        if (q >= 0) {
            for (String pair : url.substring(q + 1).split("&")) {
                String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                if (!pair.isEmpty() && !DTM_PARAMS.contains(name)) {
                    query.append(pair).append('&');
                }
            }
        }
        query.append("gid=").append(encode(call.gid()))
                .append("&trans_type=").append(encode(call.transType()))
                .append("&branch_id=").append(encode(call.branchId()))
                .append("&op=").append(encode(call.op()));
        URI base = new URI(head);
        if (base.getRawPath() == null || base.getRawPath().isEmpty()) {
            head = head + "/";
        }
        return new URI(head + "?" + query);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String describe(Throwable t, BranchCall call) {
        if (t instanceof TimeoutException) {
            return "no answer within " + call.timeout().toMillis() + " ms";
        }
        if (t instanceof ConnectException) {
            return "cannot connect: " + t.getMessage();
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
