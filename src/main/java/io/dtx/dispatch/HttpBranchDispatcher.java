package io.dtx.dispatch;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URISyntaxException;
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
        BranchTarget target;
        try {
            target = BranchTarget.of(call.url());
        } catch (URISyntaxException e) {
            return Uni.createFrom().item(BranchOutcome.error("malformed URL " + call.url() + ": " + e.getMessage()));
        }
        return resolve(target.host())
                .onItem().transformToUni(address -> guardedSend(call, target, address))
                .onFailure().recoverWithItem(t -> BranchOutcome.error(describe(t, call)));
    }

    private Uni<BranchOutcome> guardedSend(BranchCall call, BranchTarget target, InetAddress address) {
        Optional<String> refused = guard.refusal(target.host(), address);
        if (refused.isPresent()) {
            Log.warnf("gid %s branch %s %s: refused: %s", call.gid(), call.branchId(), call.op(), refused.get());
            return Uni.createFrom().item(BranchOutcome.error("refused: " + refused.get()));
        }
        return send(call, target, address);
    }

    private Uni<BranchOutcome> send(BranchCall call, BranchTarget target, InetAddress address) {
        HttpRequest<Buffer> request = client
                .request(HttpMethod.valueOf(call.method()),
                        SocketAddress.inetSocketAddress(target.port(), address.getHostAddress()), target.port(),
                        target.host(), target.requestTarget(call.gid(), call.transType(), call.branchId(), call.op()))
                .ssl(target.https())
                .followRedirects(false)
                .timeout(call.timeout().toMillis())
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
