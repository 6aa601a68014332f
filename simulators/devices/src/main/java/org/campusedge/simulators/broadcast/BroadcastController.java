package org.campusedge.simulators.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.net.DigestClient;
import org.campusedge.net.DigestServer;

/**
 * A school's IP broadcast (PA) controller: an HTTP API that plays stored announcements or text to
 * zones, with priorities (a higher one pre-empts what a zone is playing, a lower one is refused
 * while it plays), stops zones and reports their status; it reports each play's end
 * ({@code played}) or failure ({@code fault}) to the gateway's callback URL. A zone can be told to
 * fail (offline, amplifier fault), as real ones do. The API, in JSON:
 * <pre>
 * POST /api/v1/play   {"zones":[...], "announcement":"bell"|"text":"...", "priority":0-100}
 *                     -> 202 {"taskId":..., "accepted":[...], "refused":{"zone":"reason"}}
 * POST /api/v1/stop   {"zones":[...]}             -> 200 {"stopped":[...]}
 * GET  /api/v1/zones                              -> 200 {"zone":{"state":..., "taskId":..., "priority":...}}
 * status to the callback: {"event":"played"|"fault", "taskId", "zone", "reason", "time"}
 * </pre>
 */
public final class BroadcastController implements AutoCloseable {

    /** One play the controller did, for tests and the quick start's log. */
    public record Played(String taskId, String zone, String what, int priority, Instant at, boolean preempted) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> zones;
    private final long playMillis;
    private final Map<String, Zone> state = new ConcurrentHashMap<>();
    private final List<Played> log = new CopyOnWriteArrayList<>();
    private final AtomicLong tasks = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pa-sim");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private volatile URI callback;
    private HttpServer server;
    /** Set by {@link #credentials}: the API asks for them, the reports carry them. */
    private volatile String deviceId;
    private volatile String secret;
    private volatile DigestClient reportLogin;
    private final DigestServer apiLogin = DigestServer.forDevices("PA controller");
    private final AtomicLong refusedLogins = new AtomicLong();

    private static final class Zone {
        String state = "idle"; // idle, playing, offline, fault
        String taskId;
        int priority;
        String faultReason;
    }

    /**
     * @param zones      the zone names ("teaching-1f", "playground", ...)
     * @param playMillis how long a play lasts before it is reported played
     */
    public BroadcastController(List<String> zones, long playMillis) {
        this.zones = List.copyOf(zones);
        this.playMillis = playMillis;
        zones.forEach(z -> state.put(z, new Zone()));
    }

    /** Starts the API on 127.0.0.1 (port 0: a free one) and returns its base URL. */
    public URI start(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "pa-sim-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/api/v1/", this::handle);
        server.start();
        return baseUrl();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Sets the controller up with its inventory id and secret, as an installer does: from then on
     * its API takes only requests that prove (HTTP Digest, user name the id) to come from a holder of
     * the secret, and its reports to the gateway carry the same credentials. Null secret: open API,
     * reports without credentials.
     */
    public void credentials(String deviceId, String secret) {
        this.deviceId = deviceId;
        this.secret = secret;
        this.reportLogin = secret == null ? null : new DigestClient(deviceId, secret);
    }

    /** API requests refused for missing or wrong credentials (not counting the first challenge of each). */
    public long refusedLogins() {
        return refusedLogins.get();
    }

    /** Where played/fault reports go: the gateway's /campus/broadcast/{id}. */
    public void reportTo(URI callback) {
        this.callback = callback;
    }

    /** Makes a zone fail: plays to it are reported as faults with this reason until {@link #repair}. */
    public void failZone(String zone, String reason) {
        Zone z = state.get(zone);
        synchronized (z) {
            z.state = reason.startsWith("offline") ? "offline" : "fault";
            z.faultReason = reason;
        }
        report("fault", null, zone, reason);
    }

    public void repair(String zone) {
        Zone z = state.get(zone);
        synchronized (z) {
            z.state = "idle";
            z.faultReason = null;
        }
    }

    public List<Played> played() {
        return List.copyOf(log);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!authenticated(ex)) {
                return;
            }
            String path = ex.getRequestURI().getPath();
            switch (ex.getRequestMethod() + " " + path) {
                case "POST /api/v1/play" -> play(ex, JSON.readTree(ex.getRequestBody()));
                case "POST /api/v1/stop" -> stop(ex, JSON.readTree(ex.getRequestBody()));
                case "GET /api/v1/zones" -> send(ex, 200, zoneStatus());
                default -> send(ex, 404, JSON.createObjectNode().put("error", "no such API: " + path));
            }
        } catch (IOException | RuntimeException e) {
            send(ex, 400, JSON.createObjectNode().put("error", String.valueOf(e.getMessage())));
        }
    }

    private boolean authenticated(HttpExchange ex) throws IOException {
        String key = secret;
        if (key == null) {
            return true;
        }
        String id = deviceId;
        DigestServer.Verdict v = apiLogin.verify(ex.getRequestMethod(), ex.getRequestURI().getRawPath()
                        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()),
                ex.getRequestHeaders().getFirst("Authorization"), user -> user.equals(id) ? key : null);
        if (v instanceof DigestServer.Verdict.Proven) {
            return true;
        }
        if (v instanceof DigestServer.Verdict.Refused) {
            refusedLogins.incrementAndGet();
        }
        ex.getRequestBody().readAllBytes();
        apiLogin.challenges(v instanceof DigestServer.Verdict.Stale).forEach(c -> ex.getResponseHeaders().add("WWW-Authenticate", c));
        send(ex, 401, JSON.createObjectNode().put("error", "authentication required"));
        return false;
    }

    private List<String> zonesOf(JsonNode req) {
        List<String> out = new ArrayList<>();
        req.path("zones").forEach(z -> out.add(z.asText()));
        return out.isEmpty() ? zones : out;
    }

    private void play(HttpExchange ex, JsonNode req) throws IOException {
        String what = req.hasNonNull("announcement") ? "announcement:" + req.get("announcement").asText()
                : req.hasNonNull("text") ? "text:" + req.get("text").asText() : null;
        if (what == null) {
            send(ex, 400, JSON.createObjectNode().put("error", "announcement or text is required"));
            return;
        }
        int priority = req.path("priority").asInt(0);
        String taskId = "t" + tasks.incrementAndGet();
        ObjectNode answer = JSON.createObjectNode().put("taskId", taskId);
        ArrayNode accepted = answer.putArray("accepted");
        ObjectNode refused = answer.putObject("refused");
        List<String> faulty = new ArrayList<>();
        for (String zone : zonesOf(req)) {
            Zone z = state.get(zone);
            if (z == null) {
                refused.put(zone, "no such zone");
                continue;
            }
            synchronized (z) {
                if (z.faultReason != null) {
                    accepted.add(zone); // the controller takes it and finds the zone dead when it plays
                    faulty.add(zone);
                } else if (z.state.equals("playing") && z.priority >= priority) {
                    refused.put(zone, "busy with priority " + z.priority);
                } else {
                    boolean preempted = z.state.equals("playing");
                    z.state = "playing";
                    z.taskId = taskId;
                    z.priority = priority;
                    log.add(new Played(taskId, zone, what, priority, Instant.now(), preempted));
                    accepted.add(zone);
                    timer.schedule(() -> finish(zone, taskId), playMillis, TimeUnit.MILLISECONDS);
                }
            }
        }
        send(ex, 202, answer);
        for (String zone : faulty) {
            report("fault", taskId, zone, state.get(zone).faultReason);
        }
    }

    private void finish(String zone, String taskId) {
        Zone z = state.get(zone);
        synchronized (z) {
            if (!taskId.equals(z.taskId) || !z.state.equals("playing")) {
                return; // pre-empted or stopped: the newer task reports
            }
            z.state = "idle";
            z.taskId = null;
            z.priority = 0;
        }
        report("played", taskId, zone, null);
    }

    private void stop(HttpExchange ex, JsonNode req) throws IOException {
        ArrayNode stopped = JSON.createArrayNode();
        for (String zone : zonesOf(req)) {
            Zone z = state.get(zone);
            if (z != null) {
                synchronized (z) {
                    if (z.state.equals("playing")) {
                        z.state = "idle";
                        z.taskId = null;
                        z.priority = 0;
                        stopped.add(zone);
                    }
                }
            }
        }
        send(ex, 200, JSON.createObjectNode().set("stopped", stopped));
    }

    private ObjectNode zoneStatus() {
        ObjectNode out = JSON.createObjectNode();
        for (String zone : zones) {
            Zone z = state.get(zone);
            synchronized (z) {
                ObjectNode n = out.putObject(zone).put("state", z.state).put("priority", z.priority);
                if (z.taskId != null) {
                    n.put("taskId", z.taskId);
                }
            }
        }
        return out;
    }

    private void report(String event, String taskId, String zone, String reason) {
        URI to = callback;
        if (to == null) {
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("event", event).put("zone", zone).put("time", Instant.now().toString());
        if (taskId != null) {
            body.put("taskId", taskId);
        }
        if (reason != null) {
            body.put("reason", reason);
        }
        DigestClient login = reportLogin;
        String text = body.toString();
        // a real controller does not retry either, beyond answering the gateway's challenge
        DigestClient.exchange(login, () -> http.sendAsync(reportRequest(to, text, login), HttpResponse.BodyHandlers.discarding()));
    }

    private static HttpRequest reportRequest(URI to, String body, DigestClient login) {
        HttpRequest.Builder b = HttpRequest.newBuilder(to).timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        String auth = login == null ? null : login.authorization("POST", to.getRawPath());
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return b.build();
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        timer.shutdownNow();
    }
}
