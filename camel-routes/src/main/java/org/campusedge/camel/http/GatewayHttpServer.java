package org.campusedge.camel.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.campusedge.camel.ingest.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP server for devices that push (cameras' alarm notifications, the broadcast
 * controller's status reports): the JDK's own server, one exact path per device route, bodies
 * capped before they are read. It is a separate port from the school console on purpose: devices
 * sit on the school's device network, people do not.
 *
 * <p>Requests are read on a small pool, not the server's dispatcher thread, so one slow sender
 * cannot hold up the others; the answer is written whenever the device's route finishes, from
 * whichever thread that is.
 */
public final class GatewayHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayHttpServer.class);

    /** What a device route does with one request; it must call {@link Request#answer} exactly once. */
    public interface Route {
        void handle(Request request);
    }

    /** Where the server listens and how much it takes. */
    public record Settings(String host, int port, int maxBodyBytes, int threads) {
        public static Settings defaults(String host, int port) {
            return new Settings(host, port, 64 * 1024, 4);
        }
    }

    private final Settings settings;
    private final ConcurrentMap<String, Route> routes = new ConcurrentHashMap<>();
    private HttpServer server;
    private ExecutorService readers;

    public GatewayHttpServer(Settings settings) {
        this.settings = settings;
    }

    public void register(String path, Route route) {
        if (routes.putIfAbsent(path, route) != null) {
            throw new IllegalStateException("HTTP path " + path + " is already in use by another route");
        }
    }

    public void unregister(String path, Route route) {
        routes.remove(path, route);
    }

    public synchronized void start() throws IOException {
        AtomicInteger n = new AtomicInteger();
        // bounded: a flood of requests queues (and is refused with 503 beyond the queue), threads stay few
        readers = new ThreadPoolExecutor(settings.threads(), settings.threads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(1024), r -> {
                    Thread t = new Thread(r, "http-ingest-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, (r, pool) -> {
                    throw new java.util.concurrent.RejectedExecutionException("HTTP ingest queue full");
                });
        server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 256);
        server.setExecutor(readers);
        server.createContext("/", this::dispatch);
        server.start();
        LOG.info("Device HTTP server listening on tcp/{}", port());
    }

    public int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    private void dispatch(HttpExchange http) {
        String path = http.getRequestURI().getPath();
        Route route = routes.get(path);
        if (route == null) {
            reply(http, 404, "no device route at " + Text.shorten(path, 80) + " (is the device in the inventory?)", null);
            return;
        }
        if (!"POST".equals(http.getRequestMethod())) {
            http.getResponseHeaders().set("Allow", "POST");
            reply(http, 405, http.getRequestMethod() + " is not accepted here; devices POST", null);
            return;
        }
        byte[] body;
        try {
            body = readCapped(http);
        } catch (TooLarge e) {
            drain(http);
            route.handle(new Request(http, null, e.getMessage()));
            return;
        } catch (IOException e) {
            reply(http, 400, "request body could not be read: " + e.getMessage(), null);
            return;
        }
        route.handle(new Request(http, body, null));
    }

    /**
     * Reads and drops what is left of a refused body, up to 1 MiB, so that the sender gets to read
     * the 413 instead of a connection reset; beyond that the connection is closed on it.
     */
    private static void drain(HttpExchange http) {
        try (InputStream in = http.getRequestBody()) {
            long left = DRAIN_LIMIT;
            byte[] sink = new byte[8192];
            int n;
            while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException e) {
            // the sender went away; nobody to answer
        }
    }

    private static final long DRAIN_LIMIT = 1024 * 1024;

    private static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    private byte[] readCapped(HttpExchange http) throws IOException {
        int max = settings.maxBodyBytes();
        String length = http.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new IOException("Content-Length '" + Text.shorten(length, 80) + "' is not a number");
            }
            if (declared > max) {
                throw new TooLarge("body of " + declared + " bytes is over the limit of " + max);
            }
        }
        try (InputStream in = http.getRequestBody()) {
            byte[] body = in.readNBytes(max + 1); // chunked bodies have no length: read one byte past the cap
            if (body.length > max) {
                throw new TooLarge("body is over the limit of " + max + " bytes");
            }
            return body;
        }
    }

    /** One device request; {@code body} is null when it was refused before reading (then {@code refusal} says why). */
    public static final class Request {
        private final HttpExchange http;
        private final byte[] body;
        private final String refusal;

        Request(HttpExchange http, byte[] body, String refusal) {
            this.http = http;
            this.body = body;
            this.refusal = refusal;
        }

        public byte[] body() {
            return body;
        }

        /** Why the body was refused unread (too large), or null. */
        public String refusal() {
            return refusal;
        }

        public String contentType() {
            return http.getRequestHeaders().getFirst("Content-Type");
        }

        public String source() {
            InetSocketAddress peer = http.getRemoteAddress();
            return peer.getHostString() + ":" + peer.getPort();
        }

        /** Answers with a status and a one-line plain-text reason (none for 2xx), adding Retry-After to a 503. */
        public void answer(int status, String reason) {
            reply(http, status, reason, status == 503 ? "1" : null);
        }
    }

    static void reply(HttpExchange http, int status, String reason, String retryAfter) {
        try {
            byte[] text = reason == null ? new byte[0] : (Text.answer(reason) + "\n").getBytes(StandardCharsets.UTF_8);
            if (retryAfter != null) {
                http.getResponseHeaders().set("Retry-After", retryAfter);
            }
            http.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            http.sendResponseHeaders(status, text.length == 0 ? -1 : text.length);
            if (text.length > 0) {
                try (OutputStream out = http.getResponseBody()) {
                    out.write(text);
                }
            }
        } catch (IOException e) {
            LOG.debug("Answer {} to {} not sent: {}", status, http.getRemoteAddress(), e.toString());
        } finally {
            http.close();
        }
    }



    /** Stops accepting at once; requests in flight get no answer and their devices retry. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (readers != null) {
            readers.shutdownNow();
            readers = null;
        }
    }
}
