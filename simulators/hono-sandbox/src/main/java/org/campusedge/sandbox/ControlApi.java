package org.campusedge.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The sandbox's tiny HTTP control API on loopback, for scripts and tests in other processes:
 * {@code GET /stats}, {@code GET /faults}, {@code POST /faults/down}, {@code /faults/up},
 * {@code /faults/mode?m=accept|release|reject}, {@code /faults/delay?ms=N}, {@code /faults/reset}.
 */
public final class ControlApi implements AutoCloseable {

    private final HonoSandbox sandbox;
    private final HttpServer server;
    private final ExecutorService executor;

    private ControlApi(final HonoSandbox sandbox, final HttpServer server, final ExecutorService executor) {
        this.sandbox = sandbox;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts the control API on 127.0.0.1.
     *
     * @param sandbox the sandbox to control
     * @param port    the port, 0 = random
     * @return the running API
     * @throws IOException if the port cannot be bound
     */
    public static ControlApi start(final HonoSandbox sandbox, final int port) throws IOException {
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "sandbox-control");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        final ControlApi api = new ControlApi(sandbox, server, executor);
        server.createContext("/", api::handle);
        server.start();
        return api;
    }

    /** @return the bound port */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(final HttpExchange ex) throws IOException {
        try (ex) {
            final String path = ex.getRequestURI().getPath();
            final String method = ex.getRequestMethod();
            if ("/stats".equals(path)) {
                if (!"GET".equals(method)) {
                    reply(ex, 405, "{\"error\":\"use GET\"}");
                } else {
                    reply(ex, 200, sandbox.stats().toJson());
                }
                return;
            }
            if ("/faults".equals(path) && "GET".equals(method)) {
                reply(ex, 200, faultsJson());
                return;
            }
            if (!path.startsWith("/faults/")) {
                reply(ex, 404, "{\"error\":\"unknown path\"}");
                return;
            }
            if (!"POST".equals(method)) {
                reply(ex, 405, "{\"error\":\"use POST\"}");
                return;
            }
            final Map<String, String> query = query(ex.getRequestURI());
            final Faults f = sandbox.faults();
            switch (path.substring("/faults/".length())) {
                case "down" -> f.down();
                case "up" -> f.up();
                case "reset" -> f.reset();
                case "mode" -> {
                    final String m = query.get("m");
                    if (m == null) {
                        reply(ex, 400, "{\"error\":\"m=accept|release|reject required\"}");
                        return;
                    }
                    try {
                        f.mode(Faults.Mode.valueOf(m.toUpperCase(Locale.ROOT)));
                    } catch (final IllegalArgumentException e) {
                        reply(ex, 400, "{\"error\":\"m must be accept, release or reject\"}");
                        return;
                    }
                }
                case "delay" -> {
                    try {
                        f.delay(Duration.ofMillis(Long.parseLong(query.getOrDefault("ms", ""))));
                    } catch (final IllegalArgumentException e) {
                        reply(ex, 400, "{\"error\":\"ms=N (milliseconds, >= 0) required\"}");
                        return;
                    }
                }
                default -> {
                    reply(ex, 404, "{\"error\":\"unknown fault\"}");
                    return;
                }
            }
            reply(ex, 200, faultsJson());
        } catch (final RuntimeException e) {
            reply(ex, 500, "{\"error\":\"" + String.valueOf(e.getMessage()).replace("\"", "'") + "\"}");
        }
    }

    private String faultsJson() {
        final Faults f = sandbox.faults();
        return "{\"down\":" + f.isDown() + ",\"mode\":\"" + f.mode().name().toLowerCase(Locale.ROOT)
                + "\",\"delayMs\":" + f.delay().toMillis() + "}";
    }

    private static Map<String, String> query(final URI uri) {
        final Map<String, String> m = new HashMap<>();
        final String q = uri.getRawQuery();
        if (q != null) {
            for (final String pair : q.split("&")) {
                final int eq = pair.indexOf('=');
                if (eq > 0) {
                    m.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return m;
    }

    private static void reply(final HttpExchange ex, final int status, final String json) throws IOException {
        final byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
