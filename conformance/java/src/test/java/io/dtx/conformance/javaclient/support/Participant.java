package io.dtx.conformance.javaclient.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP participant (resource manager) on 127.0.0.1 with a free port. It records every call it receives and
 * answers as scripted per path: {@link #on(String, Reply...)} queues replies for a path, each call takes the next
 * one and the last one keeps being used. A path with no script answers {@link Reply#success()}.
 */
public final class Participant implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<RecordedCall> calls = new ArrayList<>();
    private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();
    private final Set<Gate> gates = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadNumber = new AtomicInteger();
    private long nextSeq = 1;

    private Participant() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "participant-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static Participant start() throws IOException {
        return new Participant();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Absolute URL of {@code path} on this participant, as put into a saga step. */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** Scripts the answers for {@code path}: one per call in this order, the last one repeated. */
    public Participant on(String path, Reply... replies) {
        if (replies.length == 0) {
            throw new IllegalArgumentException("at least one reply");
        }
        Deque<Reply> queue = new ArrayDeque<>(List.of(replies));
        for (Reply reply : replies) {
            if (reply.gate() != null) {
                gates.add(reply.gate());
            }
        }
        scripts.put(path, queue);
        return this;
    }

    /** Every call received so far, in arrival order. */
    public synchronized List<RecordedCall> calls() {
        return List.copyOf(calls);
    }

    /** The calls that belong to global transaction {@code gid} (by the {@code gid} query parameter). */
    public List<RecordedCall> callsFor(String gid) {
        return calls().stream().filter(call -> gid.equals(call.gid())).collect(Collectors.toList());
    }

    /** Waits until at least {@code count} calls match, and returns the matching calls (in arrival order). */
    public List<RecordedCall> awaitCalls(Predicate<RecordedCall> filter, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                List<RecordedCall> matching = calls.stream().filter(filter).collect(Collectors.toList());
                long left = deadline - System.nanoTime();
                if (matching.size() >= count || left <= 0) {
                    return List.copyOf(matching);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Waits for the first call that matches; returns null if none arrived in time. */
    public RecordedCall awaitCall(Predicate<RecordedCall> filter, Duration timeout) throws InterruptedException {
        List<RecordedCall> matching = awaitCalls(filter, 1, timeout);
        return matching.isEmpty() ? null : matching.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        long arrivedNanos = System.nanoTime();
        Instant arrivedAt = Instant.now();
        try (exchange) {
            URI uri = exchange.getRequestURI();
            byte[] bodyBytes;
            try (InputStream in = exchange.getRequestBody()) {
                bodyBytes = in.readAllBytes();
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            RecordedCall call;
            synchronized (this) {
                call = new RecordedCall(nextSeq++, exchange.getRequestMethod(), uri.getPath(),
                        parseQuery(uri.getRawQuery()), headers, new String(bodyBytes, StandardCharsets.UTF_8),
                        arrivedAt, arrivedNanos);
                calls.add(call);
                notifyAll();
            }

            Reply reply = nextReply(uri.getPath());
            if (reply.gate() != null) {
                try {
                    reply.gate().await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] answer = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            call.answered(reply.status(), System.nanoTime());
            exchange.sendResponseHeaders(reply.status(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    private Reply nextReply(String path) {
        Deque<Reply> queue = scripts.get(path);
        if (queue == null) {
            return Reply.success();
        }
        synchronized (queue) {
            return queue.size() > 1 ? queue.pollFirst() : queue.peekFirst();
        }
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }

    @Override
    public void close() {
        gates.forEach(Gate::open);
        server.stop(0);
        executor.shutdownNow();
    }
}
