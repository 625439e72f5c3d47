package io.dtx.conformance.javaclient.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs dtx from its packaged jar as a separate process for one test class:
 * {@code java -jar <dtx.jar>} on port 36789, with a fresh embedded PostgreSQL in a temporary folder, and stops it
 * with SIGTERM after the class. The process output is appended to {@code target/dtx.log}.
 *
 * <p>Register it with {@code @ExtendWith(DtxServer.class)} on the test class (not on a field): it uses
 * {@code beforeAll}/{@code afterAll}, so there is exactly one dtx per test class.
 */
public final class DtxServer implements BeforeAllCallback, AfterAllCallback {

    public static final int HTTP_PORT = 36789;
    /** What {@code new DtmClient(...)} takes: host and port, no scheme. */
    public static final String ENDPOINT = "127.0.0.1:" + HTTP_PORT;
    public static final URI BASE_URI = URI.create("http://" + ENDPOINT);

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 80;

    private Process process;
    private Path dataDir;
    private Path logFile;
    private long logOffset;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path jar = resolveJar();
        logFile = Paths.get(System.getProperty("dtx.log", "target/dtx.log")).toAbsolutePath();
        Files.createDirectories(logFile.getParent());
        if (portInUse()) {
            throw new IllegalStateException("port " + HTTP_PORT + " is already in use on 127.0.0.1: another dtx or DTM "
                    + "is running; stop it first, the suite needs its own coordinator");
        }
        dataDir = Files.createTempDirectory("dtx-conformance-java-");

        String header = String.format("%n===== %s: starting dtx for %s (jar %s, data %s) =====%n",
                Instant.now(), context.getDisplayName(), jar, dataDir);
        Files.writeString(logFile, header, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        logOffset = Files.size(logFile);

        String javaBin = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(javaBin, "-jar", jar.toString())
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("DTX_") || name.startsWith("QUARKUS_"));
        env.put("QUARKUS_HTTP_PORT", Integer.toString(HTTP_PORT));
        env.put("DTX_EMBEDDED_DATA_DIR", dataDir.resolve("data").toString());
        env.put("DTX_RECOVERY_POLL_INTERVAL", "1s");

        process = builder.start();
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (started.isAlive()) {
                started.descendants().forEach(ProcessHandle::destroyForcibly);
                started.destroyForcibly();
            }
        }, "dtx-conformance-kill"));
        awaitReady();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (process != null) {
            stop(process);
            process = null;
        }
        if (dataDir != null) {
            deleteRecursively(dataDir);
            dataDir = null;
        }
    }

    private static Path resolveJar() {
        String configured = System.getProperty("dtx.jar");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("DTX_JAR");
        }
        if (configured == null || configured.isBlank()) {
            configured = "../../target/quarkus-app/quarkus-run.jar";
        }
        List<Path> candidates = new ArrayList<>();
        Path given = Paths.get(configured);
        candidates.add(given.toAbsolutePath());
        if (!given.isAbsolute()) {
            // A relative DTX_JAR is usually meant relative to the repository root, where the command is run.
            String root = System.getProperty("dtx.repository.root");
            if (root != null) {
                candidates.add(Paths.get(root).resolve(given).toAbsolutePath());
            }
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("dtx jar not found (looked at " + candidates + "). Build dtx first "
                + "(target/quarkus-app/quarkus-run.jar) or set DTX_JAR / -Ddtx.jar to its quarkus-run.jar");
    }

    private static boolean portInUse() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", HTTP_PORT), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void awaitReady() throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(BASE_URI.resolve("/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String lastAnswer = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                int code = process.exitValue();
                process = null;
                throw new IllegalStateException("dtx exited with code " + code + " before it was ready. Log tail:\n"
                        + logTail());
            }
            try {
                HttpResponse<String> response = http.send(ready, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastAnswer = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                lastAnswer = e.toString();
            }
            Thread.sleep(250);
        }
        stop(process);
        process = null;
        throw new IllegalStateException("dtx was not ready within " + READY_TIMEOUT.toSeconds() + " s (last answer: "
                + lastAnswer + "). Log tail:\n" + logTail());
    }

    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy(); // SIGTERM: dtx shuts down and stops its embedded PostgreSQL
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            descendants.forEach(ProcessHandle::destroyForcibly);
            throw new IllegalStateException("dtx did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM and was killed");
        }
        // PostgreSQL children get their own shutdown from dtx; make sure none outlives the suite.
        for (ProcessHandle child : descendants) {
            child.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> {
                child.destroyForcibly();
                return child;
            }).join();
        }
    }

    private String logTail() {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = (int) Math.min(logOffset, all.length);
            String text = new String(all, from, all.length - from, StandardCharsets.UTF_8);
            String[] lines = text.split("\n");
            int start = Math.max(0, lines.length - LOG_TAIL_LINES);
            return String.join("\n", java.util.Arrays.asList(lines).subList(start, lines.length));
        } catch (IOException e) {
            return "(could not read " + logFile + ": " + e + ")";
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
