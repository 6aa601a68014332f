package org.campusedge.camel.http;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.campusedge.camel.ingest.Text;
import org.campusedge.net.BoundedHttpServer;
import org.campusedge.net.SourceGuard;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP server for devices that push (cameras' alarm notifications, the broadcast
 * controller's status reports): one exact path per device route, on its own port, separate from
 * the school console on purpose (devices sit on the school's device network, people do not).
 *
 * <p>Every bound of {@link BoundedHttpServer} applies (connections, header deadline, per-source
 * rate and penalty, requests in flight); on top, each route has its largest body (a larger one is
 * 413 before it is read), the content types its family sends (anything else is 415, so no web
 * page a student opens can post an alarm with a form), and a deadline for the body. Nothing holds a
 * thread: the body is read asynchronously and the answer written whenever the device's route
 * finishes, from whichever thread that is.
 */
public final class GatewayHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayHttpServer.class);

    /** What a device route does with one request; it must call {@link DeviceRequest#answer} exactly once. */
    public interface Route {
        void handle(DeviceRequest request);

        /** A request for this route's device was refused before the route saw it (too large, wrong type, too slow). */
        void refused(String reason);

        /** A request in this route's device's name did not prove to come from it (wrong or another device's credentials). */
        void unproven(String reason);
    }

    /** What one path accepts: its largest body and its content types (media types without parameters). */
    public record Acceptance(int maxBodyBytes, List<String> contentTypes) {
    }

    /** Where the server listens and its bounds. */
    public record Settings(String host, int port, int maxBodyBytes, Duration bodyDeadline, BoundedHttpServer.Limits limits) {
        public static Settings defaults(String host, int port) {
            return new Settings(host, port, 65_536, Duration.ofSeconds(10), defaultLimits());
        }

        /**
         * A school's device port: 512 connections, 16 per source address, 5 s to send headers and 10 s
         * idle, 8 KiB of headers, 256 requests in flight, 50 requests a second per source (a camera
         * posts a few), and a source that sends 50 bad posts within 10 s is ignored for 30 s. No
         * keep-alive: devices post and go, and every post meets the header deadline. Bodies are read
         * by the dispatch, with each route's own limit and the body deadline.
         */
        public static BoundedHttpServer.Limits defaultLimits() {
            return new BoundedHttpServer.Limits(512, 16, Duration.ofSeconds(5), Duration.ofSeconds(10), 8192, 8, 256, 50, 100,
                    50, 30, false, null, 0);
        }
    }

    private record Registered(Route route, Acceptance acceptance, String device) {
    }

    private final Settings settings;
    private final ConcurrentMap<String, Registered> routes = new ConcurrentHashMap<>();
    private final BoundedHttpServer server;
    private final HttpDeviceAuth auth;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "http-ingest-deadlines");
        t.setDaemon(true);
        return t;
    });

    /** A server that takes every device without proof: for tests of the routes' own logic. */
    public GatewayHttpServer(Settings settings) {
        this(settings, null);
    }

    /** @param auth who may post for which device; null: anyone for any device */
    public GatewayHttpServer(Settings settings, HttpDeviceAuth auth) {
        this.settings = settings;
        this.auth = auth;
        this.server = new BoundedHttpServer("device HTTP server", settings.host(), settings.port(), settings.limits(),
                new Dispatch());
    }

    public void register(String path, Route route, Acceptance acceptance) {
        if (routes.putIfAbsent(path, new Registered(route, acceptance, path.substring(path.lastIndexOf('/') + 1))) != null) {
            throw new IllegalStateException("HTTP path " + path + " is already in use by another route");
        }
    }

    public void unregister(String path, Route route) {
        routes.computeIfPresent(path, (k, r) -> r.route() == route ? null : r);
    }

    /** The largest body a route accepts when its template does not say. */
    public int defaultMaxBodyBytes() {
        return settings.maxBodyBytes();
    }

    public void start() throws Exception {
        server.start();
    }

    public int port() {
        return server.port();
    }

    /** The per-source counters of this port. */
    public SourceGuard sources() {
        return server.sources();
    }

    public BoundedHttpServer bounded() {
        return server;
    }

    /** Routes each request to its device's route, after the checks that need no body. */
    private final class Dispatch extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request http, Response response, Callback callback) {
            String path = Request.getPathInContext(http);
            Registered r = routes.get(path);
            InetAddress source = BoundedHttpServer.source(http);
            DeviceRequest request = new DeviceRequest(http, response, callback, source, server.sources());
            if (r == null) {
                request.refuse(404, "no device route at " + Text.shorten(path, 80) + " (is the device in the inventory?)");
                return true;
            }
            if (!"POST".equals(http.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, "POST");
                request.refuse(405, Text.shorten(http.getMethod(), 20) + " is not accepted here; devices POST");
                return true;
            }
            if (!authenticated(http, response, request, r)) {
                return true;
            }
            String type = http.getHeaders().get(HttpHeader.CONTENT_TYPE);
            if (!accepted(type, r.acceptance().contentTypes())) {
                request.refuse(r.route(), 415, "content type '" + Text.shorten(String.valueOf(type), 80) + "' is not accepted here; send "
                        + String.join(" or ", r.acceptance().contentTypes()));
                return true;
            }
            int max = r.acceptance().maxBodyBytes();
            long declared = http.getLength();
            if (declared > max) {
                request.refuse(r.route(), 413, "body of " + declared + " bytes is over the limit of " + max);
                return true;
            }
            AtomicBoolean settled = new AtomicBoolean();
            var timer = deadlines.schedule(() -> {
                if (settled.compareAndSet(false, true)) {
                    request.refuse(r.route(), 408, "the body did not arrive within " + settings.bodyDeadline().toSeconds() + " s");
                }
            }, settings.bodyDeadline().toMillis(), TimeUnit.MILLISECONDS);
            Content.Source.asByteArrayAsync(http, max, Promise.Invocable.from(Promise.Invocable.InvocationType.NON_BLOCKING,
                    body -> {
                        if (settled.compareAndSet(false, true)) {
                            timer.cancel(false);
                            request.body(body);
                            // a slot is taken only now: a slow sender holds a connection of its own address, never a slot
                            if (!server.enter()) {
                                request.answer(503, "the gateway is busy; retry later");
                                return;
                            }
                            request.holdsSlotOf(server);
                            r.route().handle(request);
                        }
                    },
                    failure -> {
                        if (settled.compareAndSet(false, true)) {
                            timer.cancel(false);
                            String why = String.valueOf(failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                                    ? c.getCause().getMessage() : failure.getMessage());
                            if (why.contains("Max size") || why.contains("too large")) {
                                request.refuse(r.route(), 413, "body is over the limit of " + max + " bytes");
                            } else {
                                request.refuse(r.route(), 400, "the request body could not be read: " + Text.shorten(why, 120));
                            }
                        }
                    }));
            return true;
        }
    }

    /**
     * Whether the request proved to come from the device of its path; if not, it is answered here
     * (401 with challenges, 403 for another device's credentials) before a byte of its body is read.
     * A request with no credentials at all is the first half of every Digest exchange: it counts
     * against its source address (a proven device's address is never put in its penalty for it) but
     * not against the device; wrong credentials count against both.
     */
    private boolean authenticated(Request http, Response response, DeviceRequest request, Registered r) {
        if (auth == null) {
            return true;
        }
        HttpDeviceAuth.Outcome outcome = auth.check(r.device(), http.getMethod(), http.getHttpURI().getPathQuery(),
                http.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (outcome instanceof HttpDeviceAuth.Outcome.Challenge c) {
            c.wwwAuthenticate().forEach(v -> response.getHeaders().add(HttpHeader.WWW_AUTHENTICATE, v));
            if (!c.firstStep()) {
                r.route().unproven(c.why());
            }
            request.answer(401, c.why());
            return false;
        }
        if (outcome instanceof HttpDeviceAuth.Outcome.Forbidden f) {
            r.route().unproven(f.why());
            request.answer(403, f.why());
            return false;
        }
        return true;
    }

    /** Whether a Content-Type header names one of the accepted media types (parameters such as charset are allowed). */
    static boolean accepted(String header, List<String> types) {
        if (header == null) {
            return false;
        }
        int semi = header.indexOf(';');
        String media = (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return types.contains(media);
    }

    /** Stops accepting at once; requests in flight get no answer and their devices retry. */
    @Override
    public void close() {
        server.close();
        deadlines.shutdownNow();
        LOG.debug("device HTTP server closed");
    }
}
