package io.dtx.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real participant service on loopback: it records every call (method, path, query, headers, body, arrival time)
 * and answers as scripted per path: a queue of answers used once each, then the path's default, then 200 SUCCESS.
 * An answer can be delayed, or hang until {@link #release()}.
 */
public final class Participant implements AutoCloseable {

    public record Call(String method, String path, Map<String, String> query, Map<String, String> headers, String body,
            Instant at) {
        public String gid() {
            return query.get("gid");
        }

        public String op() {
            return query.get("op");
        }

        public String branchId() {
            return query.get("branch_id");
        }

        public String header(String name) {
            for (Map.Entry<String, String> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }
    }

    public record Answer(int status, String body, Duration delay, boolean hang) {
        public static Answer ok() {
            return new Answer(200, "{\"dtm_result\":\"SUCCESS\"}", Duration.ZERO, false);
        }

        public static Answer failure() {
            return new Answer(409, "{\"dtm_result\":\"FAILURE\",\"message\":\"refused by participant\"}", Duration.ZERO,
                    false);
        }

        public static Answer ongoing() {
            return new Answer(425, "{\"dtm_result\":\"ONGOING\"}", Duration.ZERO, false);
        }

        public static Answer error() {
            return new Answer(500, "{\"message\":\"participant broke\"}", Duration.ZERO, false);
        }

        public static Answer status(int status, String body) {
            return new Answer(status, body, Duration.ZERO, false);
        }

        public static Answer slow(Duration delay) {
            return new Answer(200, "{\"dtm_result\":\"SUCCESS\"}", delay, false);
        }

        /** Holds the request until {@link Participant#release()}, then answers 200. */
        public static Answer held() {
            return new Answer(200, "{\"dtm_result\":\"SUCCESS\"}", Duration.ZERO, true);
        }
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Answer> defaults = new ConcurrentHashMap<>();
    private volatile CountDownLatch released = new CountDownLatch(1);
    private HttpServer server;
    private int port;

    private Participant() {
    }

    /** Starts on a free loopback port. */
    public static Participant start() {
        Participant p = new Participant();
        p.listen(0);
        return p;
    }

    /** Starts on the given port (to come back where branches were registered). */
    public static Participant startOn(int port) {
        Participant p = new Participant();
        p.listen(port);
        return p;
    }

    private void listen(int wanted) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", wanted), 200);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + wanted, e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "participant");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Answers to use once each, in order, for calls to {@code path}. */
    public Participant script(String path, Answer... answers) {
        scripts.computeIfAbsent(path, k -> new ArrayDeque<>()).addAll(List.of(answers));
        return this;
    }

    /** The answer for calls to {@code path} once its script is used up. */
    public Participant always(String path, Answer answer) {
        defaults.put(path, answer);
        return this;
    }

    /** Lets every request held so far answer; later held answers wait for the next release. */
    public void release() {
        CountDownLatch current = released;
        released = new CountDownLatch(1);
        current.countDown();
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String path) {
        return calls.stream().filter(c -> c.path().equals(path)).toList();
    }

    public List<Call> callsFor(String gid) {
        return calls.stream().filter(c -> gid.equals(c.gid())).toList();
    }

    /** Paths called for {@code gid}, in arrival order. */
    public List<String> pathsFor(String gid) {
        return callsFor(gid).stream().map(Call::path).toList();
    }

    public Call awaitCall(Predicate<Call> match, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (Call c : calls) {
                if (match.test(c)) {
                    return c;
                }
            }
            sleep(10);
        }
        throw new AssertionError("no matching call within " + timeout + "; calls: " + calls);
    }

    @Override
    public void close() {
        release();
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
            server = null;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
            String path = ex.getRequestURI().getRawPath();
            calls.add(new Call(ex.getRequestMethod(), path, query(ex.getRequestURI().getRawQuery()), headers,
                    new String(body, StandardCharsets.UTF_8), Instant.now()));
            CountDownLatch latch = released;
            Answer answer = next(path);
            if (answer.hang()) {
                try {
                    latch.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (!answer.delay().isZero()) {
                sleep(answer.delay().toMillis());
            }
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (IOException e) {
            // the coordinator gave up on this call (timeout); nothing to answer
        }
    }

    private Answer next(String path) {
        Deque<Answer> script = scripts.get(path);
        if (script != null) {
            synchronized (script) {
                Answer a = script.poll();
                if (a != null) {
                    return a;
                }
            }
        }
        return defaults.getOrDefault(path, Answer.ok());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
